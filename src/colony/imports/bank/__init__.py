"""Bank files in: OFX/QFX, QIF, CAMT.053 and any bank's CSV, each import recorded and undoable.

`formats/` turns a file into rows (one parser per format behind one interface, no I/O); `service.py`
checks them, finds the duplicates by one rule and books the new ones in batches; `runner.py` imports the
large files in the background (started once the upload is answered, and by the job of `jobs.py` for what
a stopped instance left).
"""
