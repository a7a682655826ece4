"""Framework catalogs, the CSF crosswalk, control mappings and their evaluation."""
