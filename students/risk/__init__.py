"""The at-risk engine: ``signals`` (each rule), ``judgement`` (students judged as of a
day, in chunks) and ``backtest`` (the rules replayed over history)."""
