"""Domain logic with no Qt: the case model, derived series, importers, the demo cohort."""
