"""Discussion on a case: comments on the case and on each function's analysis, with
@-mentions, questions to another function, a short edit window and every edit kept."""
