"""A lead's messages: inquiry forms, e-mails (pasted, posted or uploaded as .eml), chats and the
transcripts of voice notes. Stored per lead with channel, direction and time; each arrival queues
the lead's priority (``leads.priority``)."""
