/*
 * bench_master_scale.c - one master with N associations (default 10,000), each
 * event-polled (class 1) once a second, on one multi-drop channel in memory:
 * requests go out as link frames, every outstation answers an empty response
 * through link frames too. Prints the memory per association and the CPU time
 * the master core (scheduler, request encoding, link and transport framing,
 * response parsing) spends per second of polling. Sockets are not included:
 * bench_net_poll gives their cost per round trip.
 *
 *   bench_master_scale [associations] [simulated seconds]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "dnp3/link.h"
#include "dnp3/master.h"
#include "dnp3/transport.h"

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *alloc64(size_t n)
{
    return aligned_alloc(64, (n + 63) / 64 * 64);
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)atol(argv[1]) : 10000;
    int seconds = argc > 2 ? atoi(argv[2]) : 10;
    if (n < 1 || n > 60000 || seconds < 1) return 2;

    dnp3_master_config mc;
    dnp3_master_config_init(&mc);
    mc.max_associations = n;
    size_t msize = dnp3_master_memory_size(&mc);
    void *mmem = alloc64(msize);
    dnp3_channel_config cc;
    dnp3_channel_config_init(&cc);
    cc.is_master = true;
    cc.local_addr = 60000;
    cc.accept_any_remote = true;
    cc.keep_alive_ms = 0;
    cc.on_fragment = dnp3_master_on_fragment;
    cc.ctx = mmem;
    size_t csize = dnp3_channel_memory_size(&cc);
    void *cmem = alloc64(csize);
    dnp3_channel *ch = dnp3_channel_init(cmem, (csize + 63) / 64 * 64, &cc, 0);
    dnp3_master *m = ch ? dnp3_master_init(mmem, (msize + 63) / 64 * 64, &mc, ch, 0) : NULL;
    if (!m) return 1;
    for (size_t i = 0; i < n; i++) {
        dnp3_assoc_config ac;
        dnp3_assoc_config_init(&ac);
        ac.address = (uint16_t)(i + 1);
        ac.startup_disable_unsol = ac.startup_enable_unsol = ac.startup_integrity = 0;
        ac.class_period_ms[0] = 1000;
        ac.event_poll_on_iin = 0;
        if (!dnp3_master_add_assoc(m, &ac, (dnp3_tstamp)(i % 1000))) return 1;
    }
    dnp3_master_on_connect(m, 0);

    /* the outstations: parse each request frame and answer "C? 81 00 00" in a link frame */
    dnp3_transport_tx tx;
    dnp3_transport_tx_init(&tx);
    static uint8_t out[8192], frame[512];
    uint64_t polls = 0;
    dnp3_tstamp now = 0, end = (dnp3_tstamp)seconds * 1000;
    double t0 = cpu_s();
    while (now <= end) {
        int k;
        while ((k = dnp3_channel_write(ch, out, sizeof out)) > 0) {
            uint8_t scratch[DNP3_LINK_MAX_USER_DATA];
            dnp3_link_frame f;
            if (dnp3_link_parse(out, (size_t)k, scratch, &f, NULL) <= 0 || f.len < 3) continue;
            uint8_t rsp[4] = {(uint8_t)(0xC0 | (f.data[1] & 0x0F)), 0x81, 0, 0};
            int len = dnp3_transport_write_fragment(&tx, frame, sizeof frame, 0x44, cc.local_addr, f.dest, rsp,
                                                    sizeof rsp);
            if (len > 0) dnp3_channel_read(ch, frame, (size_t)len, now);
            polls++;
        }
        dnp3_tstamp e = dnp3_master_get_expiry(m);
        if (e > end) break;
        if (e > now) now = e;
        dnp3_master_handle_expiry(m, now);
    }
    double cpu = cpu_s() - t0;
    printf("one master, %zu associations, each class-1 polled every 1 s, %d s simulated:\n", n, seconds);
    printf("  %llu polls answered (%.0f per simulated second)\n", (unsigned long long)polls,
           (double)polls / seconds);
    printf("  master core CPU: %.1f ms per simulated second (%.2f %% of one core), %.2f us per poll\n",
           cpu * 1000 / seconds, cpu * 100 / seconds, cpu * 1e6 / (double)(polls ? polls : 1));
    printf("  memory: master %zu octets (%.0f octets per association) + one channel %zu octets\n", msize,
           (double)msize / (double)n, csize);
    free(mmem);
    free(cmem);
    return 0;
}
