"""api layer of AurumAI Twin."""
