/*
 * tasks.c - the user task API of dnp3/master.h: checks the arguments, builds
 * or validates the request objects (IEEE 1815-2012 clause 4.3 object headers,
 * validated with the same parser as received fragments) and queues the task
 * on the association. The scheduler (scheduler.c) runs queued user tasks
 * before automatic polls, in order.
 */
#include <string.h>

#include "core/cursor.h"
#include "master/master_internal.h"

static int check_assoc(const dnp3_master_assoc *a)
{
    if (!a || !a->in_use) return DNP3_ERR_INVALID_ARG;
    if (a->removing) return DNP3_ERR_STATE;
    return DNP3_OK;
}

/* Validates objects as a request of function fc; returns the number of headers or an error. */
static int validate(uint8_t fc, const uint8_t *objects, size_t len)
{
    if (len == 0) return 0;
    if (!objects) return DNP3_ERR_INVALID_ARG;
    dnp3_apdu apdu = {0};
    apdu.function = fc;
    apdu.objects = objects;
    apdu.objects_len = len;
    int n = dnp3_apdu_validate(&apdu, NULL);
    return n < 0 ? DNP3_ERR_INVALID_ARG : n;
}

static int enqueue(dnp3_master_assoc *a, dnp3_task_kind kind, uint8_t fc, uint8_t mode, uint8_t classes,
                   const uint8_t *objects, size_t len, dnp3_task_cb cb, void *ctx, dnp3_tstamp now)
{
    dnp3_master *m = a->m;
    if (len > m->cfg.task_buffer_size) return DNP3_ERR_BUFFER_TOO_SMALL;
    if (a->q_count >= m->cfg.user_queue_len) return DNP3_ERR_STATE;
    mst_user_task *u = dnp3_mst_queue_at(a, a->q_count);
    u->kind = kind;
    u->function = fc;
    u->mode = mode;
    u->classes = classes;
    u->start_deadline = mst_add(now, a->cfg.task_start_timeout_ms);
    u->cb = cb;
    u->ctx = ctx;
    u->len = len;
    if (len) memcpy(u->buf, objects, len);
    a->q_count++;
    dnp3_mst_enter(m);
    dnp3_mst_touch(a);
    dnp3_mst_leave(m, now);
    return DNP3_OK;
}

int dnp3_master_read(dnp3_master_assoc *a, const uint8_t *headers, size_t len, dnp3_task_cb cb, void *ctx,
                     dnp3_tstamp now)
{
    int rc = check_assoc(a);
    if (rc) return rc;
    if (len == 0 || validate(DNP3_FC_READ, headers, len) <= 0) return DNP3_ERR_INVALID_ARG;
    return enqueue(a, DNP3_TASK_READ, DNP3_FC_READ, 0, 0, headers, len, cb, ctx, now);
}

int dnp3_master_read_class(dnp3_master_assoc *a, uint8_t classes, dnp3_task_cb cb, void *ctx, dnp3_tstamp now)
{
    int rc = check_assoc(a);
    if (rc) return rc;
    if ((classes & DNP3_CLASS_ALL) == 0 || (classes & ~DNP3_CLASS_ALL)) return DNP3_ERR_INVALID_ARG;
    uint8_t buf[16];
    dnp3_apdu_writer w;
    if (dnp3_apdu_writer_init_request(&w, buf, sizeof buf, 0, DNP3_FC_READ) ||
        dnp3_mst_write_class_headers(&w, classes, true))
        return DNP3_ERR_INVALID_ARG;
    return enqueue(a, DNP3_TASK_READ, DNP3_FC_READ, 0, 0, buf + 2, dnp3_apdu_writer_len(&w) - 2, cb, ctx, now);
}

int dnp3_master_operate(dnp3_master_assoc *a, dnp3_command_mode mode, uint8_t qualifier, const dnp3_command *cmds,
                        size_t n, dnp3_task_cb cb, void *ctx, dnp3_tstamp now)
{
    int rc = check_assoc(a);
    if (rc) return rc;
    if (!cmds || n == 0 || mode > DNP3_CMD_DIRECT_OPERATE_NR) return DNP3_ERR_INVALID_ARG;
    dnp3_master *m = a->m;
    if (n > m->cfg.max_command_objects) return DNP3_ERR_BUFFER_TOO_SMALL;
    size_t len = 0;
    rc = dnp3_mst_command_encode(cmds, n, qualifier, m->txbuf, m->txcap, &len);
    if (rc) return rc;
    uint8_t fc = mode == DNP3_CMD_SELECT_OPERATE   ? DNP3_FC_SELECT
                 : mode == DNP3_CMD_DIRECT_OPERATE ? DNP3_FC_DIRECT_OPERATE
                                                   : DNP3_FC_DIRECT_OPERATE_NR;
    return enqueue(a, DNP3_TASK_COMMAND, fc, (uint8_t)mode, 0, m->txbuf + 2, len - 2, cb, ctx, now);
}

int dnp3_master_freeze(dnp3_master_assoc *a, uint8_t fc, const uint8_t *headers, size_t len, dnp3_task_cb cb,
                       void *ctx, dnp3_tstamp now)
{
    static const uint8_t all_counters[] = {20, 0, DNP3_QUAL_ALL};
    int rc = check_assoc(a);
    if (rc) return rc;
    const bool at_time = fc == DNP3_FC_FREEZE_AT_TIME || fc == DNP3_FC_FREEZE_AT_TIME_NR;
    if (fc != DNP3_FC_IMMED_FREEZE && fc != DNP3_FC_IMMED_FREEZE_NR && fc != DNP3_FC_FREEZE_CLEAR &&
        fc != DNP3_FC_FREEZE_CLEAR_NR && !at_time)
        return DNP3_ERR_INVALID_ARG;
    if (at_time && (!headers || len == 0)) return DNP3_ERR_INVALID_ARG; /* the g50v2 schedule is the caller's */
    if (!headers || len == 0) {
        headers = all_counters;
        len = sizeof all_counters;
    }
    if (validate(fc, headers, len) <= 0) return DNP3_ERR_INVALID_ARG;
    return enqueue(a, DNP3_TASK_FREEZE, fc, 0, 0, headers, len, cb, ctx, now);
}

int dnp3_master_freeze_headers(uint8_t *out, size_t cap, uint8_t group, bool all, uint16_t start, uint16_t stop,
                               bool at_time, dnp3_time48 utc, uint32_t interval_ms)
{
    if (!out || (group != 20 && group != 30) || (!all && start > stop) || utc > DNP3_TIME48_MAX)
        return DNP3_ERR_INVALID_ARG;
    dnp3_writer w;
    dnp3_wr_init(&w, out, cap);
    if (at_time) { /* g50v2: time and date with interval, one object */
        const uint8_t g50v2[] = {50, 2, DNP3_QUAL_COUNT_8, 1};
        dnp3_wr_bytes(&w, g50v2, sizeof g50v2);
        dnp3_wr_u48(&w, utc);
        dnp3_wr_u32(&w, interval_ms);
    }
    dnp3_wr_u8(&w, group);
    dnp3_wr_u8(&w, 0);
    if (all) {
        dnp3_wr_u8(&w, DNP3_QUAL_ALL);
    } else if (stop <= 0xFF) {
        dnp3_wr_u8(&w, DNP3_QUAL_START_STOP_8);
        dnp3_wr_u8(&w, (uint8_t)start);
        dnp3_wr_u8(&w, (uint8_t)stop);
    } else {
        dnp3_wr_u8(&w, DNP3_QUAL_START_STOP_16);
        dnp3_wr_u16(&w, start);
        dnp3_wr_u16(&w, stop);
    }
    return w.err ? DNP3_ERR_BUFFER_TOO_SMALL : (int)w.pos;
}

int dnp3_master_change_update_key(dnp3_master_assoc *a, dnp3_task_cb cb, void *ctx, dnp3_tstamp now)
{
    int rc = check_assoc(a);
    if (rc) return rc;
    if (!a->sa || !dnp3_sa_master_update_key_pending(a->sa)) return DNP3_ERR_STATE;
    return enqueue(a, DNP3_TASK_AUTH_UPDATE_KEY, DNP3_FC_AUTH_REQUEST, 0, 0, NULL, 0, cb, ctx, now);
}

int dnp3_master_restart(dnp3_master_assoc *a, bool warm, dnp3_task_cb cb, void *ctx, dnp3_tstamp now)
{
    int rc = check_assoc(a);
    if (rc) return rc;
    return enqueue(a, DNP3_TASK_RESTART, warm ? DNP3_FC_WARM_RESTART : DNP3_FC_COLD_RESTART, 0, 0, NULL, 0, cb,
                   ctx, now);
}

int dnp3_master_write(dnp3_master_assoc *a, const uint8_t *objects, size_t len, dnp3_task_cb cb, void *ctx,
                      dnp3_tstamp now)
{
    int rc = check_assoc(a);
    if (rc) return rc;
    if (len == 0 || validate(DNP3_FC_WRITE, objects, len) <= 0) return DNP3_ERR_INVALID_ARG;
    return enqueue(a, DNP3_TASK_WRITE, DNP3_FC_WRITE, 0, 0, objects, len, cb, ctx, now);
}

int dnp3_master_write_octet_string(dnp3_master_assoc *a, uint32_t index, const uint8_t *data, size_t len,
                                   dnp3_task_cb cb, void *ctx, dnp3_tstamp now)
{
    int rc = check_assoc(a);
    if (rc) return rc;
    if (!data || len == 0 || len > 255 || index > 0xFFFF) return DNP3_ERR_INVALID_ARG;
    dnp3_master *m = a->m;
    dnp3_apdu_writer w;
    dnp3_hdr_mark mk;
    uint8_t q = index <= 0xFF ? DNP3_QUAL_COUNT_8_INDEX_8 : DNP3_QUAL_COUNT_16_INDEX_16;
    if (dnp3_apdu_writer_init_request(&w, m->txbuf, m->txcap, 0, DNP3_FC_WRITE) ||
        dnp3_apdu_begin_indexed(&w, &mk, 110, (uint8_t)len, q))
        return DNP3_ERR_BUFFER_TOO_SMALL;
    rc = dnp3_apdu_add_raw(&w, &mk, index, data, len);
    if (rc) return rc == DNP3_ERR_FRAGMENT_FULL ? DNP3_ERR_BUFFER_TOO_SMALL : DNP3_ERR_INVALID_ARG;
    (void)dnp3_apdu_end(&w, &mk);
    return enqueue(a, DNP3_TASK_WRITE, DNP3_FC_WRITE, 0, 0, m->txbuf + 2, dnp3_apdu_writer_len(&w) - 2, cb, ctx,
                   now);
}

int dnp3_master_read_attributes(dnp3_master_assoc *a, uint8_t set, uint8_t variation, dnp3_task_cb cb, void *ctx,
                                dnp3_tstamp now)
{
    int rc = check_assoc(a);
    if (rc) return rc;
    if (variation == 0) return DNP3_ERR_INVALID_ARG;
    const uint8_t objects[] = {0, variation, DNP3_QUAL_START_STOP_8, set, set};
    return enqueue(a, DNP3_TASK_READ_ATTRIBUTES, DNP3_FC_READ, 0, 0, objects, sizeof objects, cb, ctx, now);
}

int dnp3_master_time_sync(dnp3_master_assoc *a, dnp3_timesync_mode mode, dnp3_task_cb cb, void *ctx,
                          dnp3_tstamp now)
{
    int rc = check_assoc(a);
    if (rc) return rc;
    if (mode != DNP3_TIMESYNC_LAN && mode != DNP3_TIMESYNC_NON_LAN) return DNP3_ERR_INVALID_ARG;
    return enqueue(a, DNP3_TASK_TIME_SYNC, 0, (uint8_t)mode, 0, NULL, 0, cb, ctx, now);
}

int dnp3_master_set_unsolicited(dnp3_master_assoc *a, bool enable, uint8_t classes, dnp3_task_cb cb, void *ctx,
                                dnp3_tstamp now)
{
    int rc = check_assoc(a);
    if (rc) return rc;
    if ((classes & DNP3_CLASS_123) == 0 || (classes & ~DNP3_CLASS_123)) return DNP3_ERR_INVALID_ARG;
    return enqueue(a, enable ? DNP3_TASK_ENABLE_UNSOLICITED : DNP3_TASK_DISABLE_UNSOLICITED,
                   enable ? DNP3_FC_ENABLE_UNSOLICITED : DNP3_FC_DISABLE_UNSOLICITED, 0, classes, NULL, 0, cb, ctx,
                   now);
}

int dnp3_master_request(dnp3_master_assoc *a, uint8_t fc, const uint8_t *objects, size_t len, dnp3_task_cb cb,
                        void *ctx, dnp3_tstamp now)
{
    int rc = check_assoc(a);
    if (rc) return rc;
    if (!dnp3_fc_name(fc) || dnp3_fc_is_response(fc) || fc == DNP3_FC_CONFIRM || fc == DNP3_FC_SELECT ||
        fc == DNP3_FC_OPERATE || fc == DNP3_FC_AUTH_REQUEST || fc == DNP3_FC_AUTH_REQUEST_NO_ACK)
        return DNP3_ERR_INVALID_ARG;
    if (len > 0 && (dnp3_fc_no_objects(fc) || validate(fc, objects, len) < 0)) return DNP3_ERR_INVALID_ARG;
    return enqueue(a, DNP3_TASK_REQUEST, fc, 0, 0, objects, len, cb, ctx, now);
}
