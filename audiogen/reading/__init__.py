"""Reading: a document's bytes → an ``Article`` (decoding, HTML pages and their metadata,
Markdown and plain text), with the characters that never belong in text removed."""
