"""For RQ's own command line: `rq cron county_net.jobs.cron_config --url $REDIS_URL` registers every periodic
job (county_net/jobs/schedule.py) with RQ's cron scheduler."""
from rq import cron

from county_net.jobs.rq_backend import register_all

register_all(cron)
