/*
 * sa_hook.c - the outstation's hook for Secure Authentication (IEEE 1815-2012
 * clause 7): every request goes through dnp3_sa_outstation_receive before
 * dispatch (a critical request is executed only once authenticated), SA's
 * AUTH_RESPONSEs become the solicited response, SA timers join the
 * outstation's, a READ of group 121 returns the security statistics
 * (g121v1: flags, association 0, 32-bit count; index = statistic number), and
 * a statistic that has grown by its threshold since its last report becomes a
 * g122 event (docs/protocol-notes.md §7.10) in the outstation's event buffers.
 */
#include "outstation/os_internal.h"
#include "sa/sa_internal.h"

/* Growth of each statistic that makes a g122 event (the thresholds OD-SA used, docs/protocol-notes.md §7.10). */
static const uint32_t STAT_THRESHOLD[DNP3_SA_STAT_COUNT] = {3,  5, 5,  3,   3,  100, 100, 100, 100,
                                                            10, 2, 10, 100, 10, 5,   1,   1,   3};

int dnp3_outstation_set_sa(dnp3_outstation *os, dnp3_sa_outstation *sa)
{
    if (!os) return DNP3_ERR_INVALID_ARG;
    os->sa = sa;
    if (sa && os->sa_stat_reported)
        memcpy(os->sa_stat_reported, dnp3_sa_outstation_stats(sa),
               DNP3_SA_STAT_COUNT * sizeof *os->sa_stat_reported);
    return DNP3_OK;
}

void dnp3_os_sa_stat_events(dnp3_outstation *os)
{
    os_ring *r = &os->ev[OS_SEC_STAT];
    if (!os->sa || r->cap == 0 || !os->sa_stat_reported) return;
    const uint32_t *st = dnp3_sa_outstation_stats(os->sa);
    for (unsigned i = 0; i < DNP3_SA_STAT_COUNT; i++) {
        if (st[i] - os->sa_stat_reported[i] < STAT_THRESHOLD[i]) continue;
        os->sa_stat_reported[i] = st[i];
        os_ev_src p;
        memset(&p, 0, sizeof p);
        p.value = st[i];
        p.flags = DNP3_FLAG_ONLINE;
        p.time = dnp3_os_utc_now(os);
        p.cls = os->cfg.sa_stat_event_class;
        p.evar = os->cfg.sa_stat_event_variation;
        dnp3_os_ev_record(os, (dnp3_os_type)OS_SEC_STAT, (uint16_t)i, &p, NULL, 0);
    }
}

/* An AUTH_RESPONSE from SA replaces whatever solicited response was in progress. */
static void sa_reply(dnp3_outstation *os, const uint8_t *apdu, size_t len)
{
    dnp3_os_sol_abandon(os);
    if (len > os->cfg.max_tx_fragment) return;
    memcpy(os->sol, apdu, len);
    os->sol_len = len;
    os->sol_ready = true;
    os->sol_repeatable = false;
    os->sol_more = false;
    os->sol_await = false;
    os->sol_seq = dnp3_ac_seq(apdu[0]);
}

/* READ whose every header is g121 (v0/v1, all or 8/16-bit range): answered here. */
static bool read_stats(dnp3_outstation *os, const dnp3_apdu *a)
{
    dnp3_hdr_iter it;
    dnp3_obj_header h;
    dnp3_hdr_iter_init(&it, a);
    int rc, n = 0;
    while ((rc = dnp3_hdr_iter_next(&it, &h, NULL)) > 0) {
        if (h.group != 121 || (h.variation != 0 && h.variation != 1) || !(h.all || h.has_range)) return false;
        n++;
    }
    if (rc < 0 || n == 0) return false;
    const uint32_t *st = dnp3_sa_outstation_stats(os->sa);
    dnp3_writer w;
    dnp3_wr_init(&w, os->sol + 4, os->cfg.max_tx_fragment - 4);
    uint16_t iin = 0;
    dnp3_hdr_iter_init(&it, a);
    while (dnp3_hdr_iter_next(&it, &h, NULL) > 0) {
        uint32_t start = h.all ? 0 : h.start, stop = h.all ? DNP3_SA_STAT_COUNT - 1 : h.stop;
        if (stop >= DNP3_SA_STAT_COUNT) {
            iin |= DNP3_IIN2_PARAMETER_ERROR;
            if (start >= DNP3_SA_STAT_COUNT) continue;
            stop = DNP3_SA_STAT_COUNT - 1;
        }
        dnp3_wr_u8(&w, 121);
        dnp3_wr_u8(&w, 1);
        dnp3_wr_u8(&w, DNP3_QUAL_START_STOP_8);
        dnp3_wr_u8(&w, (uint8_t)start);
        dnp3_wr_u8(&w, (uint8_t)stop);
        for (uint32_t i = start; i <= stop; i++) {
            dnp3_wr_u8(&w, DNP3_FLAG_ONLINE);
            dnp3_wr_u16(&w, 0);
            dnp3_wr_u32(&w, st[i]);
        }
    }
    if (w.err) {
        w.pos = 0;
        iin |= DNP3_IIN2_PARAMETER_ERROR;
    }
    dnp3_os_sol_abandon(os);
    dnp3_os_respond(os, dnp3_ac_seq(a->control), iin, os->sol + 4, w.pos, false);
    return true;
}

static bool sa_filter(dnp3_outstation *os, const uint8_t **apdu, size_t *len, dnp3_broadcast_kind bcast,
                      dnp3_tstamp now)
{
    if (bcast != DNP3_BCAST_NONE) /* a broadcast cannot be challenged: only non-critical ones pass */
        return *len >= 2 && !dnp3_sa_os_is_critical(os->sa, (*apdu)[1]);
    /* The master repeating its last request because the response was lost: dispatch sends the
     * stored response again and executes nothing (rule 4 of dispatch.c), so no new challenge is
     * needed - and one would replace that stored response, leaving the master without an answer. */
    if (os->req_valid && os->sol_repeatable && *len == os->req_len && *len >= 2 && (*apdu)[1] != DNP3_FC_READ &&
        memcmp(*apdu, os->req, *len) == 0)
        return true;
    dnp3_sa_result r;
    if (dnp3_sa_outstation_receive(os->sa, *apdu, *len, dnp3_os_iin(os), now, &r) != DNP3_OK) return false;
    if (r.action == DNP3_SA_REPLY) {
        sa_reply(os, r.apdu, r.len);
        return false;
    }
    if (r.action != DNP3_SA_PASS) return false;
    *apdu = r.apdu;
    *len = r.len;
    dnp3_apdu a;
    if (dnp3_apdu_parse(*apdu, *len, &a) == DNP3_OK && a.function == DNP3_FC_READ && read_stats(os, &a)) {
        os->req_valid = false;
        return false;
    }
    return true;
}

bool dnp3_os_sa_filter(dnp3_outstation *os, const uint8_t **apdu, size_t *len, dnp3_broadcast_kind bcast,
                       dnp3_tstamp now)
{
    if (!os->sa) return true;
    bool go_on = sa_filter(os, apdu, len, bcast, now);
    dnp3_os_sa_stat_events(os);
    return go_on;
}

dnp3_tstamp dnp3_os_sa_expiry(const dnp3_outstation *os)
{
    return dnp3_sa_outstation_get_expiry(os->sa);
}

void dnp3_os_sa_timer(dnp3_outstation *os, dnp3_tstamp now)
{
    dnp3_sa_outstation_handle_expiry(os->sa, now);
    dnp3_os_sa_stat_events(os);
}
