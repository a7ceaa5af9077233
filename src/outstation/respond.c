/*
 * respond.c - the solicited response in progress: a single-fragment answer built in place
 * (IEEE 1815-2012 clause 4.2.2: AC with FIR, FIN, CON for a broadcast confirm, and the request's
 * SEQ; function 129; IIN), and abandoning a response, which returns its selected and written
 * events to pending. Called by the request handlers (dispatch, controls, file, SA).
 */
#include <string.h>

#include "core/cursor.h"
#include "outstation/os_internal.h"

void dnp3_os_respond(dnp3_outstation *os, uint8_t seq, uint16_t iin_req, const uint8_t *objs, size_t len,
                     bool repeatable)
{
    if (4 + len > os->cfg.max_tx_fragment) {
        len = 0;
        iin_req |= DNP3_IIN2_PARAMETER_ERROR;
    }
    if (len && objs != os->sol + 4) memmove(os->sol + 4, objs, len);
    dnp3_store_u16(os->sol + 2, (uint16_t)(dnp3_os_iin(os) | iin_req));
    bool con = dnp3_os_bcast_after_build(os);
    os->sol[0] = dnp3_ac_make(true, true, con, false, seq);
    os->sol[1] = DNP3_FC_RESPONSE;
    os->sol_len = 4 + len;
    os->sol_ready = true;
    os->sol_repeatable = repeatable;
    os->sol_more = false;
    os->sol_seq = seq;
    os->sol_await = con;
    os->sol_bcast_con = con;
    os->sol_deadline = os->req_time + os->cfg.confirm_timeout_ms;
}

void dnp3_os_sol_abandon(dnp3_outstation *os)
{
    dnp3_os_ev_revert(os, EV_SELECTED, EV_WRITTEN_SOL);
    os->sol_more = false;
    os->sol_await = false;
    os->sol_ready = false;
    os->sol_bcast_con = false;
    os->n_items = 0;
    os->cur_item = 0;
}
