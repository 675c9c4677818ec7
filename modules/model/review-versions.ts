// The versions of the review files' layouts, with no imports (the diff command reads them without
// loading the constructs). A change that a reader must know about raises one; docs/review-json.md
// says what changed.

/** review.json */
export const REVIEW_MODEL_VERSION = 1;

/** review-diff.json */
export const REVIEW_DIFF_VERSION = 1;
