/*
 * session.c - several masters' sessions on one point database: what a substation RTU does when
 * it answers its SCADA master, a second control centre and a historian at once.
 *
 * IEEE 1815-2012 describes one outstation per master association; each association has its own
 * event reporting state (clause 4.4 event buffers, 4.6.6 application confirms, 4.6.7 unsolicited
 * responses) and its own select-before-operate state (4.4.5). A device serving several masters
 * keeps one set of points and gives each master its own copy of every event, which each master
 * reads and confirms on its own (docs/protocol-notes.md §5.10, docs/outstation.md "Several masters").
 *
 * Here the outstation built by dnp3_outstation_init owns the point tables; a session built by
 * dnp3_outstation_init_session points its tables at the owner's and joins the owner's list. An
 * update through any member is detected once (database.c) and recorded here into the buffer of
 * every member that takes it.
 */
#include "outstation/os_internal.h"

void dnp3_os_session_join(dnp3_outstation *os, dnp3_outstation *owner)
{
    for (int t = 0; t < DNP3_OS_TYPE_COUNT; t++) os->db[t] = owner->db[t];
    os->db_owner = owner;
    dnp3_outstation **tail = &owner->next_session;
    while (*tail) tail = &(*tail)->next_session;
    *tail = os;
}

int dnp3_outstation_detach(dnp3_outstation *os)
{
    if (!os) return DNP3_ERR_INVALID_ARG;
    dnp3_outstation *owner = os->db_owner;
    if (owner == os) return os->next_session ? DNP3_ERR_STATE : DNP3_ERR_INVALID_ARG;
    for (dnp3_outstation **p = &owner->next_session; *p; p = &(*p)->next_session) {
        if (*p == os) {
            *p = os->next_session;
            os->next_session = NULL;
            return DNP3_OK;
        }
    }
    return DNP3_ERR_INVALID_ARG; /* already detached */
}

size_t dnp3_outstation_session_count(const dnp3_outstation *os)
{
    if (!os) return 0;
    size_t n = 0;
    for (const dnp3_outstation *s = os->db_owner; s; s = s->next_session) n++;
    return n;
}

uint32_t dnp3_os_ev_record_shared(dnp3_outstation *os, dnp3_os_type t, uint16_t index, const os_ev_src *p,
                                  const uint8_t *oct, uint8_t len)
{
    const uint8_t cls = (uint8_t)(p->cls & OS_CLS_MASK);
    if (cls < 1) return 0;
    uint32_t n = 0;
    for (dnp3_outstation *s = os->db_owner; s; s = s->next_session) {
        if (s->ev[t].cap == 0 || !((s->cfg.event_classes >> (cls - 1)) & 1u)) continue;
        dnp3_os_ev_record(s, t, index, p, oct, len);
        n++;
    }
    return n;
}
