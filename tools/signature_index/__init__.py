"""The parts of tools/build_signature_index.py: reading the bundles, and what each slot reads."""
