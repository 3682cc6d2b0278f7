"""Importers for coding reference data in the publishers' own layouts (CMS HCPCS, NCCI, ICD-10-CM, CPT)."""
