"""The multilingual resource library: guidelines and tools in en, fr, es and ar."""
