"""Voice notes: encrypted audio, offline transcription and spoken commands."""
