"""Operations: job run statistics (the scheduler heartbeat), health, metrics and logs."""
