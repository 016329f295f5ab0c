"""Writes of the voice app: voice logs (upload, transcription, playback, deletion), the tenant's
voice settings, and the audio retention policy."""
