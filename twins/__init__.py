"""twins layer of AurumAI Twin."""
