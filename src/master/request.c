/*
 * request.c - the request fragment of each task and phase (IEEE 1815-2012
 * clause 4.2 application header: FIR = FIN = 1, CON = UNS = 0, SEQ = the
 * association's next request SEQ; object headers per clause 4.3).
 *
 *   DISABLE/ENABLE_UNSOLICITED  15/14  g60v2 g60v3 g60v4, qualifier 06 (classes 1..3)
 *   integrity / event poll      01     g60v2 g60v3 g60v4 g60v1, qualifier 06 (order 1, 2, 3, 0)
 *   clear DEVICE_RESTART        02     50 01 00 07 07 00 (g80v1 start 7 stop 7 value 0)
 *   time sync                   17/18, then 02 g50v1/g50v3 qualifier 07 count 1 (timesync.c)
 *   commands                    03/04/05/06 with the objects built at submission (commands.c)
 *   other user tasks            their function code and the objects stored at submission
 */
#include "master/master_internal.h"

bool dnp3_mst_function_is_nr(uint8_t fc)
{
    return fc == DNP3_FC_DIRECT_OPERATE_NR || fc == DNP3_FC_IMMED_FREEZE_NR || fc == DNP3_FC_FREEZE_CLEAR_NR ||
           fc == DNP3_FC_FREEZE_AT_TIME_NR || fc == DNP3_FC_AUTH_REQUEST_NO_ACK;
}

int dnp3_mst_write_class_headers(dnp3_apdu_writer *w, uint8_t classes, bool with_class0)
{
    for (unsigned c = 1; c <= 3; c++) {
        if (!(classes & (1u << c))) continue;
        int rc = dnp3_apdu_header_all(w, 60, (uint8_t)(c + 1));
        if (rc) return rc;
    }
    if (with_class0 && (classes & DNP3_CLASS_0)) return dnp3_apdu_header_all(w, 60, 1);
    return DNP3_OK;
}

static uint8_t command_function(const mst_task *t)
{
    switch (t->mode) {
    case DNP3_CMD_SELECT_OPERATE: return t->phase == 0 ? DNP3_FC_SELECT : DNP3_FC_OPERATE;
    case DNP3_CMD_DIRECT_OPERATE: return DNP3_FC_DIRECT_OPERATE;
    default: return DNP3_FC_DIRECT_OPERATE_NR;
    }
}

int dnp3_mst_build_request(dnp3_master_assoc *a, uint8_t *buf, size_t cap, size_t *len)
{
    mst_task *t = &a->t;
    const uint8_t ac = dnp3_ac_make(true, true, false, false, a->next_seq);
    const mst_user_task *u = t->user ? dnp3_mst_queue_head(a) : NULL;
    dnp3_apdu_writer w;
    int rc = DNP3_OK;
    static const uint8_t clear_restart[] = {80, 1, DNP3_QUAL_START_STOP_8, 7, 7, 0};

    switch (t->kind) {
    case DNP3_TASK_DISABLE_UNSOLICITED:
    case DNP3_TASK_ENABLE_UNSOLICITED:
        rc = dnp3_apdu_writer_init_request(&w, buf, cap, ac,
                                           t->kind == DNP3_TASK_ENABLE_UNSOLICITED ? DNP3_FC_ENABLE_UNSOLICITED
                                                                                   : DNP3_FC_DISABLE_UNSOLICITED);
        if (!rc) rc = dnp3_mst_write_class_headers(&w, t->classes, false);
        break;
    case DNP3_TASK_INTEGRITY_POLL:
    case DNP3_TASK_EVENT_POLL:
        rc = dnp3_apdu_writer_init_request(&w, buf, cap, ac, DNP3_FC_READ);
        if (!rc) rc = dnp3_mst_write_class_headers(&w, t->classes, true);
        break;
    case DNP3_TASK_CLEAR_RESTART:
        rc = dnp3_apdu_writer_init_request(&w, buf, cap, ac, DNP3_FC_WRITE);
        if (!rc) rc = dnp3_apdu_append(&w, clear_restart, sizeof clear_restart);
        break;
    case DNP3_TASK_TIME_SYNC:
        rc = dnp3_mst_timesync_build(a, &w, buf, cap, ac);
        if (rc > 0) return rc; /* a dnp3_task_result */
        break;
    case DNP3_TASK_AUTH_KEYS:
    case DNP3_TASK_AUTH_UPDATE_KEY: return dnp3_mst_sa_build(a, buf, cap, ac, len);
    case DNP3_TASK_COMMAND:
        if (!u) return DNP3_TASK_CANCELLED;
        rc = dnp3_apdu_writer_init_request(&w, buf, cap, ac, command_function(t));
        if (!rc) rc = dnp3_apdu_append(&w, u->buf, u->len);
        break;
    default:
        if (!u) return DNP3_TASK_CANCELLED;
        rc = dnp3_apdu_writer_init_request(&w, buf, cap, ac, u->function);
        if (!rc && u->len) rc = dnp3_apdu_append(&w, u->buf, u->len);
        break;
    }
    if (rc) return DNP3_TASK_TOO_LARGE;
    *len = dnp3_apdu_writer_len(&w);
    return 0;
}
