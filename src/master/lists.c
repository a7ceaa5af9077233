/*
 * lists.c - the master's lists: each association's queue of user tasks (a ring of
 * user_queue_len slots whose buffers stay owned by their slots), and the master's dirty
 * list (associations a call changed: serviced and re-timed when the call ends) and wait
 * list (associations with something to send while the channel is full, served in order).
 * Bookkeeping only: nothing here sends or ends a task.
 */
#include "master/master_internal.h"

void dnp3_mst_touch(dnp3_master_assoc *a)
{
    dnp3_master *m = a->m;
    if (a->dirty) return;
    a->dirty = true;
    m->dirty[m->n_dirty++] = a->idx;
}

void dnp3_mst_wait(dnp3_master_assoc *a)
{
    dnp3_master *m = a->m;
    if (a->waiting) return;
    a->waiting = true;
    m->wait[(m->wait_head + m->wait_n) % m->cfg.max_associations] = a->idx;
    m->wait_n++;
}

mst_user_task *dnp3_mst_queue_at(dnp3_master_assoc *a, size_t i)
{
    return &a->q[(a->q_head + i) % a->m->cfg.user_queue_len];
}

mst_user_task *dnp3_mst_queue_head(dnp3_master_assoc *a)
{
    return a->q_count ? dnp3_mst_queue_at(a, 0) : NULL;
}

void dnp3_mst_queue_remove(dnp3_master_assoc *a, size_t i)
{
    size_t n = a->m->cfg.user_queue_len;
    if (i >= a->q_count) return;
    if (i == 0) {
        a->q_head = (a->q_head + 1) % n;
    } else {
        /* shift the later entries down, swapping slots so every buffer stays owned */
        for (size_t k = i; k + 1 < a->q_count; k++) {
            mst_user_task tmp = *dnp3_mst_queue_at(a, k);
            *dnp3_mst_queue_at(a, k) = *dnp3_mst_queue_at(a, k + 1);
            *dnp3_mst_queue_at(a, k + 1) = tmp;
        }
    }
    a->q_count--;
}
