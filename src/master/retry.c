/*
 * retry.c - the back-off of the master's automatic tasks (docs/master.md): a failed
 * automatic task is tried again after retry_min_ms, the delay doubling up to retry_max_ms;
 * success resets it. User tasks are never retried.
 */
#include "master/master_internal.h"

bool dnp3_mst_retry_ready(const mst_retry *r, dnp3_tstamp now)
{
    return now >= r->at;
}

void dnp3_mst_retry_fail(const dnp3_master_assoc *a, mst_retry *r, dnp3_tstamp now)
{
    r->at = mst_add(now, r->delay);
    uint32_t next = r->delay > UINT32_MAX / 2 ? UINT32_MAX : r->delay * 2;
    r->delay = mst_min_u32(next, a->cfg.retry_max_ms);
}

void dnp3_mst_retry_reset(const dnp3_master_assoc *a, mst_retry *r, dnp3_tstamp now)
{
    r->at = now;
    r->delay = a->cfg.retry_min_ms;
}
