/*
 * fuzz_outstation.c - libFuzzer target for the outstation session (IEEE 1815-2012
 * clause 4, outstation side), with time as part of the input.
 *
 * Input format (the vector runner tests/session/test_outstation_vectors.c
 * writes seeds in it, see fuzz/corpus/outstation/):
 *   byte 0: configuration: bit0 unsolicited, bit1 249-octet fragments,
 *           bit2 3-event buffers, bit3 one control per request, bit4 NEED_TIME,
 *           bit5 drive it through the built-in channel (link frames)
 *   then records, each starting with a tag:
 *     00 LL HH <n octets>      a request APDU of n = LL | HH << 8 octets
 *     01 LL HH                 advance the clock by LL | HH << 8 ms and run the timers
 *     02 T I V F               update point I of type T (mod 7) to value V (signed), flags F
 *     03                       toggle the connection (offline / online)
 *     04 K LL HH <n octets>    a broadcast request (K mod 3: FFFD, FFFE, FFFF)
 *     05 I N <N octets>        set octet-string point I
 *     other tags are skipped.
 * After every record all output is drained and checked: every fragment is a
 * well-formed response (0x81 with UNS = 0, or 0x82 with FIR FIN CON UNS), its
 * objects pass the parser's response validation, reserved IIN bits are clear,
 * and after the timers ran no deadline is left in the past.
 */
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "dnp3/outstation.h"

#define POINTS 10

static alignas(max_align_t) uint8_t mem[1u << 20];
static uint8_t out[8192];

static void check(bool ok)
{
    if (!ok) abort();
}

static void check_apdu(const uint8_t *p, size_t n, size_t max_tx)
{
    check(n >= 4 && n <= max_tx);
    dnp3_apdu a;
    check(dnp3_apdu_parse(p, n, &a) == DNP3_OK);
    check(a.function == DNP3_FC_RESPONSE || a.function == DNP3_FC_UNSOLICITED_RESPONSE);
    check(dnp3_apdu_check_control(&a) == DNP3_OK);
    if (a.function == DNP3_FC_UNSOLICITED_RESPONSE)
        check((a.control & 0xF0) == (DNP3_AC_FIR | DNP3_AC_FIN | DNP3_AC_CON | DNP3_AC_UNS));
    check((a.iin & (DNP3_IIN2_RESERVED_1 | DNP3_IIN2_RESERVED_2)) == 0);
    check(dnp3_apdu_validate(&a, NULL) >= 0);
}

typedef struct {
    dnp3_outstation *os;
    bool link;
    bool online;
    size_t max_tx;
    dnp3_tstamp now;
    dnp3_transport_tx ttx; /* master side: segments requests */
    dnp3_transport_rx trx; /* master side: reassembles responses */
    uint8_t frag[4096];
} session;

static void drain(session *s)
{
    /* the driving contract: output only when the expiry says "now" (a timer-driven runtime
       would otherwise leave it waiting) */
    const bool due = dnp3_outstation_get_expiry(s->os) <= s->now;
    if (!s->link) {
        int n;
        while ((n = dnp3_outstation_take(s->os, out, sizeof out, s->now)) > 0) {
            check(due);
            check_apdu(out, (size_t)n, s->max_tx);
        }
        check(n == 0);
        return;
    }
    int n;
    while ((n = dnp3_outstation_write(s->os, out, sizeof out, s->now)) > 0) {
        check(due);
        size_t off = 0;
        while (off < (size_t)n) {
            uint8_t scratch[DNP3_LINK_MAX_USER_DATA];
            dnp3_link_frame f;
            int fl = dnp3_link_parse(out + off, (size_t)n - off, scratch, &f, NULL);
            check(fl > 0);
            off += (size_t)fl;
            check((f.control & DNP3_LINK_DIR) == 0 && f.src == 10 && f.dest == 1);
            const uint8_t *apdu;
            size_t alen;
            if (f.len && dnp3_transport_rx_push(&s->trx, f.src, false, f.data, f.len, &apdu, &alen) == 1)
                check_apdu(apdu, alen, s->max_tx);
        }
    }
    check(n == 0);
}

static void deliver(session *s, const uint8_t *p, size_t n, dnp3_broadcast_kind b)
{
    if (!s->link) {
        check(dnp3_outstation_receive(s->os, p, n, b, s->now) == DNP3_OK);
        return;
    }
    if (n == 0 || n > 2048) return;
    static const uint16_t dests[] = {10, 0xFFFD, 0xFFFE, 0xFFFF};
    static uint8_t wire[16384];
    int w = dnp3_transport_write_fragment(&s->ttx, wire, sizeof wire, 0xC4, dests[b], 1, p, n);
    check(w > 0);
    if (dnp3_outstation_read(s->os, wire, (size_t)w, s->now) == DNP3_ERR_LINK_CLOSED) {
        dnp3_outstation_set_online(s->os, false, s->now);
        dnp3_outstation_set_online(s->os, true, s->now);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    const uint8_t cfgb = data[0];
    dnp3_outstation_config c;
    dnp3_outstation_config_init(&c);
    for (int t = 0; t < DNP3_OS_TYPE_COUNT; t++) {
        c.types[t].count = POINTS;
        c.types[t].event_buffer = (cfgb & 0x04) ? 3 : 100;
        c.types[t].event_class = (uint8_t)(1 + t % 3);
    }
    c.unsolicited = cfgb & 0x01;
    c.unsol_classes = 0x07;
    c.max_tx_fragment = (cfgb & 0x02) ? 249 : 2048;
    c.max_controls = (cfgb & 0x08) ? 1 : 16;
    c.need_time_at_start = cfgb & 0x10;
    c.need_time_period_ms = 30000;
    c.link_layer = cfgb & 0x20;
    c.attr.vendor = "fuzz";
    session s;
    memset(&s, 0, sizeof s);
    s.link = c.link_layer;
    s.online = true;
    s.max_tx = c.max_tx_fragment;
    check(dnp3_outstation_memory_size(&c) <= sizeof mem);
    s.os = dnp3_outstation_init(mem, sizeof mem, &c, NULL, 0);
    check(s.os != NULL);
    dnp3_transport_tx_init(&s.ttx);
    dnp3_transport_rx_init(&s.trx, s.frag, sizeof s.frag);
    drain(&s);

    size_t i = 1;
    while (i < size) {
        const uint8_t tag = data[i++];
        switch (tag) {
        case 0x00:
        case 0x04: {
            dnp3_broadcast_kind b = DNP3_BCAST_NONE;
            if (tag == 0x04) {
                if (i >= size) return 0;
                b = (dnp3_broadcast_kind)(1 + data[i++] % 3);
            }
            if (i + 2 > size) return 0;
            size_t n = (size_t)data[i] | ((size_t)data[i + 1] << 8);
            i += 2;
            if (n > size - i) n = size - i;
            deliver(&s, data + i, n, b);
            i += n;
            break;
        }
        case 0x01: {
            if (i + 2 > size) return 0;
            s.now += (dnp3_tstamp)data[i] | ((dnp3_tstamp)data[i + 1] << 8);
            i += 2;
            if (dnp3_outstation_handle_expiry(s.os, s.now) == DNP3_ERR_LINK_CLOSED) {
                dnp3_outstation_set_online(s.os, false, s.now);
                dnp3_outstation_set_online(s.os, true, s.now);
            }
            drain(&s); /* a retry may be due now; once it is out, every deadline lies ahead */
            check(dnp3_outstation_get_expiry(s.os) > s.now);
            break;
        }
        case 0x02: {
            if (i + 4 > size) return 0;
            dnp3_os_type t = (dnp3_os_type)(data[i] % 7);
            uint16_t idx = data[i + 1];
            double v = (int8_t)data[i + 2];
            if (t == DNP3_OS_DOUBLE_BIT_INPUT) v = data[i + 2] & 3;
            int rc = dnp3_outstation_update(s.os, t, idx, v, data[i + 3], s.now, DNP3_EVENT_DETECT);
            check(idx < POINTS ? rc >= 0 : rc == DNP3_ERR_INVALID_ARG);
            i += 4;
            break;
        }
        case 0x03:
            s.online = !s.online;
            dnp3_outstation_set_online(s.os, s.online, s.now);
            break;
        case 0x05: {
            if (i + 2 > size) return 0;
            uint16_t idx = data[i];
            size_t n = data[i + 1];
            i += 2;
            if (n > size - i) n = size - i;
            (void)dnp3_outstation_update_octets(s.os, idx, data + i, n, s.now, DNP3_EVENT_DETECT);
            i += n;
            break;
        }
        default: break;
        }
        drain(&s);
    }
    return 0;
}
