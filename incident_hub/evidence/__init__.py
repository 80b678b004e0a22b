"""Evidence: files attached to a case or to one function's analysis (the order itself, its
translation, counsel's memo), checked by their content, stored by their SHA-256 and served
only through an authorised, audited route."""
