/*
 * test_outstation_config.c - the outstation's configuration and memory
 * contract: defaults, rejected configurations, memory size and placement on
 * caller memory (too small, misaligned), the state overhead beyond the
 * configured buffers, callback-struct sizes, per-point settings and reads.
 */
#include <stdalign.h>
#include <string.h>

#include "dnp3/outstation.h"
#include "outstation/os_internal.h"
#include "testutil.h"

static alignas(max_align_t) uint8_t mem[8u << 20];

static void test_defaults(void **state)
{
    (void)state;
    dnp3_outstation_config c;
    dnp3_outstation_config_init(&c);
    assert_int_equal(c.size, sizeof c);
    assert_int_equal(c.link_addr, 10);
    assert_int_equal(c.master_addr, 1);
    assert_int_equal(c.max_rx_fragment, 2048);
    assert_int_equal(c.max_tx_fragment, 2048);
    assert_int_equal(c.select_timeout_ms, 5000);
    assert_int_equal(c.confirm_timeout_ms, 5000);
    assert_int_equal(c.keep_alive_ms, 60000);
    assert_true(c.link_layer);
    size_t n = dnp3_outstation_memory_size(&c);
    assert_true(n > 0);
    dnp3_outstation *os = dnp3_outstation_init(mem, n, &c, NULL, 0);
    assert_non_null(os);
    assert_ptr_equal(os, mem);
    assert_int_equal(dnp3_outstation_iin(os), DNP3_IIN1_DEVICE_RESTART);
    assert_int_equal(dnp3_outstation_get_expiry(os), 60000); /* keep-alive of the built-in channel */
    assert_int_equal(dnp3_outstation_write_size(os), dnp3_transport_wire_size(2048));
}

static void test_rejected_configs(void **state)
{
    (void)state;
    dnp3_outstation_config c;
    const char *field = "unset";
    dnp3_outstation_config_init(&c);
    assert_int_equal(dnp3_outstation_config_check(&c, &field), DNP3_OK);
    assert_null(field);
/* each refused configuration names its field through dnp3_outstation_config_check */
#define REJECT(stmt, name)                                                                                        \
    do {                                                                                                          \
        dnp3_outstation_config_init(&c);                                                                          \
        stmt;                                                                                                     \
        assert_int_equal(dnp3_outstation_memory_size(&c), 0);                                                     \
        assert_null(dnp3_outstation_init(mem, sizeof mem, &c, NULL, 0));                                          \
        assert_int_equal(dnp3_outstation_config_check(&c, &field), DNP3_ERR_CONFIG);                              \
        assert_string_equal(field, name);                                                                         \
    } while (0)
    REJECT(c.size = 0, "size");
    REJECT(c.size = sizeof c + 1, "size");
    REJECT(c.max_tx_fragment = 248, "max_tx_fragment");
    REJECT(c.max_rx_fragment = 100, "max_rx_fragment");
    REJECT(c.max_tx_fragment = 70000, "max_tx_fragment");
    REJECT(c.octet_string_size = 0, "octet_string_size");
    REJECT((c.octet_string_size = 255, c.max_tx_fragment = 249), "octet_string_size");
    REJECT(c.types[DNP3_OS_ANALOG_INPUT].event_class = 4, "types[analog_input].event_class");
    REJECT(c.types[DNP3_OS_ANALOG_INPUT].static_variation = 7, "types[analog_input].static_variation");
    REJECT(c.types[DNP3_OS_BINARY_INPUT].event_variation = 4, "types[binary_input].event_variation");
    REJECT(c.types[DNP3_OS_COUNTER].static_variation = 3, "types[counter].static_variation");
    REJECT(c.types[DNP3_OS_COUNTER].deadband = -1, "types[].deadband");
    REJECT(c.link_mode = (dnp3_channel_mode)7, "link_mode");
    REJECT(c.link_framing = (dnp3_framing_policy)9, "link_framing");
    REJECT((c.sa_stat_event_buffer = 4, c.sa_stat_event_class = 0), "sa_stat_event_class");
    assert_int_equal(dnp3_outstation_memory_size(NULL), 0);
    assert_int_equal(dnp3_outstation_config_check(NULL, &field), DNP3_ERR_CONFIG);
    assert_string_equal(field, "config");
#undef REJECT
}

static void test_caller_memory(void **state)
{
    (void)state;
    dnp3_outstation_config c;
    dnp3_outstation_config_init(&c);
    for (int t = 0; t < DNP3_OS_TYPE_COUNT; t++) c.types[t].count = 5;
    size_t n = dnp3_outstation_memory_size(&c);
    assert_null(dnp3_outstation_init(mem, n - 1, &c, NULL, 0));
    assert_null(dnp3_outstation_init(mem + 8, sizeof mem - 8, &c, NULL, 0));
    assert_null(dnp3_outstation_init(NULL, n, &c, NULL, 0));
    dnp3_outstation_callbacks cb;
    memset(&cb, 0, sizeof cb);
    cb.size = 2;
    assert_null(dnp3_outstation_init(mem, n, &c, &cb, 0));
    cb.size = sizeof cb;
    /* attribute strings are copied: the caller's may go away */
    char vendor[8] = "ACME";
    c.attr.vendor = vendor;
    n = dnp3_outstation_memory_size(&c);
    dnp3_outstation *os = dnp3_outstation_init(mem, n, &c, &cb, 0);
    assert_non_null(os);
    memset(vendor, 'X', sizeof vendor - 1);
    assert_string_equal(os->attr_str[0], "ACME");
    /* without the channel the block is smaller */
    size_t with = n;
    c.link_layer = false;
    assert_true(dnp3_outstation_memory_size(&c) < with);
}

/* issue 3: 1,000 points of each type, 1,000-event buffers: <= 64 KiB beyond the configured buffers */
static void test_state_overhead(void **state)
{
    (void)state;
    dnp3_outstation_config c;
    dnp3_outstation_config_init(&c);
    size_t buffers = 0;
    for (int t = 0; t < DNP3_OS_TYPE_COUNT; t++) {
        c.types[t].count = 1000;
        c.types[t].event_buffer = 1000;
        /* each type's records, values, deadbands, times (octet strings: values, lengths, payloads) */
        buffers += 1000 * dnp3_os_point_octets(&c, t) + 1000 * dnp3_os_event_octets(&c, t);
    }
    buffers += c.max_rx_fragment + 2 * c.max_tx_fragment; /* request copy, solicited, unsolicited */
    buffers += c.max_rx_fragment + dnp3_transport_wire_size(c.max_tx_fragment); /* channel reassembly, queue */
    size_t total = dnp3_outstation_memory_size(&c);
    assert_true(total > buffers);
    print_message("outstation block %zu octets, buffers %zu, state %zu\n", total, buffers, total - buffers);
    assert_true(total - buffers <= 64 * 1024);
    assert_non_null(dnp3_outstation_init(mem, sizeof mem, &c, NULL, 0));
}

static void test_point_api(void **state)
{
    (void)state;
    dnp3_outstation_config c;
    dnp3_outstation_config_init(&c);
    c.link_layer = false;
    for (int t = 0; t < DNP3_OS_TYPE_COUNT; t++) c.types[t].count = 3;
    dnp3_outstation *os = dnp3_outstation_init(mem, sizeof mem, &c, NULL, 0);
    assert_non_null(os);
    double v = -1;
    uint8_t f = 0;
    dnp3_time48 t = 1;
    assert_int_equal(dnp3_outstation_get(os, DNP3_OS_COUNTER, 2, &v, &f, &t), DNP3_OK);
    assert_true(v == 0);
    assert_int_equal(f, DNP3_FLAG_RESTART);
    assert_int_equal(t, 0);
    assert_int_equal(dnp3_outstation_update(os, DNP3_OS_COUNTER, 2, 77, DNP3_FLAG_ONLINE, 0x1FFFFFFFFFFFFULL,
                                            DNP3_EVENT_DETECT),
                     1);
    assert_int_equal(dnp3_outstation_get(os, DNP3_OS_COUNTER, 2, &v, &f, &t), DNP3_OK);
    assert_true(v == 77);
    assert_int_equal(t, 0xFFFFFFFFFFFFULL); /* 48 bits */
    assert_int_equal(dnp3_outstation_get(os, DNP3_OS_COUNTER, 3, NULL, NULL, NULL), DNP3_ERR_INVALID_ARG);
    assert_int_equal(dnp3_outstation_get(os, DNP3_OS_TYPE_COUNT, 0, NULL, NULL, NULL), DNP3_ERR_INVALID_ARG);
    dnp3_os_point_config pc = {4, 0, 0, 0};
    assert_int_equal(dnp3_outstation_configure_point(os, DNP3_OS_ANALOG_INPUT, 0, &pc), DNP3_ERR_INVALID_ARG);
    pc = (dnp3_os_point_config){1, 9, 0, 0};
    assert_int_equal(dnp3_outstation_configure_point(os, DNP3_OS_ANALOG_INPUT, 0, &pc), DNP3_ERR_INVALID_ARG);
    pc = (dnp3_os_point_config){1, 0, 9, 0};
    assert_int_equal(dnp3_outstation_configure_point(os, DNP3_OS_ANALOG_INPUT, 0, &pc), DNP3_ERR_INVALID_ARG);
    pc = (dnp3_os_point_config){1, 0, 0, -2};
    assert_int_equal(dnp3_outstation_configure_point(os, DNP3_OS_ANALOG_INPUT, 0, &pc), DNP3_ERR_INVALID_ARG);
    pc = (dnp3_os_point_config){2, 6, 8, 0.5};
    assert_int_equal(dnp3_outstation_configure_point(os, DNP3_OS_ANALOG_INPUT, 0, &pc), DNP3_OK);
    assert_int_equal(dnp3_outstation_configure_point(os, DNP3_OS_ANALOG_INPUT, 3, &pc), DNP3_ERR_INVALID_ARG);
    assert_int_equal(dnp3_outstation_event_count(os, DNP3_OS_COUNTER), 1);
    assert_int_equal(dnp3_outstation_event_count(os, DNP3_OS_TYPE_COUNT), 0);
    /* NULL handles */
    assert_int_equal(dnp3_outstation_receive(NULL, (const uint8_t *)"", 0, DNP3_BCAST_NONE, 0),
                     DNP3_ERR_INVALID_ARG);
    assert_int_equal(dnp3_outstation_receive(os, NULL, 0, DNP3_BCAST_NONE, 0), DNP3_ERR_INVALID_ARG);
    assert_int_equal(dnp3_outstation_take(NULL, NULL, 0, 0), DNP3_ERR_INVALID_ARG);
    assert_int_equal(dnp3_outstation_get_expiry(NULL), DNP3_TSTAMP_NEVER);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),      cmocka_unit_test(test_rejected_configs),
        cmocka_unit_test(test_caller_memory), cmocka_unit_test(test_state_overhead),
        cmocka_unit_test(test_point_api),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
