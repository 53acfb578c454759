"""The run report: ``report.md`` (:mod:`.run_report`) and the tables it shares with the notebooks (:mod:`.tables`)."""
