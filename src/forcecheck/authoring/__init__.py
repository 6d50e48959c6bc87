"""Writing scenario files: `new` (from prompts, flags or a teaching case) and `fmt`."""
