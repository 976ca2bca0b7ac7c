"""Opens a Mi Negocio Digital sale (step 1): starts its `SaleWorkflow` from a JSON file or the demo.

The logic is in `mnd/starter_app.py`; this is its command-line entry point.
"""

from __future__ import annotations

from mnd.entrypoint import run_main
from mnd.starter_app import main

if __name__ == "__main__":
    run_main(main())
