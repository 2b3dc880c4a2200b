"""Component ids: constants in one place, prefixed by the part of the app that owns them."""

# Shell
URL = "shell-url"
PAGE = "shell-page"
NAV = "shell-nav"
STAMP = "shell-stamp"
FILTER_NOTE = "shell-filter-note"
F_CENTERS = "shell-filter-centers"
F_CENTERS_LABEL = "shell-filter-centers-label"
F_ARMS = "shell-filter-arms"
F_ARMS_LABEL = "shell-filter-arms-label"
F_ASOF = "shell-filter-as-of"
F_ASOF_LABEL = "shell-filter-as-of-label"
F_LANG = "shell-filter-lang"
F_RESET = "shell-filter-reset"

# Recruitment page
REC_KPIS = "rec-kpis"
REC_BY_CENTER = "rec-graph-by-center"
REC_TABLE = "rec-center-table"
REC_CUMULATIVE = "rec-graph-cumulative"
REC_CUMULATIVE_CENTER = "rec-graph-cumulative-center"
REC_MONTHLY = "rec-graph-monthly"
REC_FAILURES = "rec-graph-failures"
REC_MODEL = "rec-model-note"

# Visits page
VIS_KPIS = "vis-kpis"
VIS_HEATMAP = "vis-graph-heatmap"
VIS_MISSED = "vis-graph-missed"
VIS_SWIMMER = "vis-graph-swimmer"
VIS_WORKLIST = "vis-worklist"
