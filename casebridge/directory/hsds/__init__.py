"""Open Referral HSDS 3.0: the official schemas (vendored in spec/), reading, importing and
exporting a directory in the JSON and tabular (CSV) forms."""
