"""The grader's side of the boundary: what decides a score. Never imported by student code."""
