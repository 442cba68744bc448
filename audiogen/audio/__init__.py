"""Audio internals: the working buffer of samples, loudness and limiting, MP3 blocks."""
