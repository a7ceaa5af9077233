/*
 * test_config_init_size.c - the *_config_init_size functions behind the inline *_config_init of
 * the headers: a program built against an older, smaller header passes its own size and gets
 * the defaults of its fields only - nothing is written past them, and the size field says what
 * it holds; a size that does not reach past the size field writes nothing.
 */
#include <stddef.h>
#include <string.h>

#include "dnp3/channel.h"
#include "dnp3/master.h"
#include "dnp3/outstation.h"
#include "dnp3/sa.h"
#include "testutil.h"

#define CANARY 0xA5

/* Calls init(buf, size) for a struct cut to `size` octets and checks nothing beyond was written. */
#define CHECK_SIZED(type, init_size, full_init, cut_field)                                                        \
    do {                                                                                                          \
        static unsigned char buf[sizeof(type) + 64];                                                              \
        type want;                                                                                                \
        full_init(&want);                                                                                         \
        assert_int_equal(want.size, sizeof(type));                                                                \
        size_t cut = offsetof(type, cut_field);                                                                   \
        memset(buf, CANARY, sizeof buf);                                                                          \
        init_size((type *)(void *)buf, cut);                                                                      \
        for (size_t i = cut; i < sizeof buf; i++) assert_int_equal(buf[i], CANARY);                               \
        assert_int_equal(((type *)(void *)buf)->size, cut);                                                       \
        assert_memory_equal(buf + sizeof want.size, (unsigned char *)&want + sizeof want.size,                    \
                            cut - sizeof want.size);                                                              \
        memset(buf, CANARY, sizeof buf);                                                                          \
        init_size((type *)(void *)buf, 2); /* does not reach past the size field */                               \
        for (size_t i = 0; i < sizeof buf; i++) assert_int_equal(buf[i], CANARY);                                 \
        init_size((type *)(void *)buf, sizeof(type) + 64); /* a larger size: only sizeof is written */            \
        assert_int_equal(((type *)(void *)buf)->size, sizeof(type));                                              \
        for (size_t i = sizeof(type); i < sizeof buf; i++) assert_int_equal(buf[i], CANARY);                      \
    } while (0)

static void test_sized_inits(void **state)
{
    (void)state;
    CHECK_SIZED(dnp3_channel_config, dnp3_channel_config_init_size, dnp3_channel_config_init, framing);
    CHECK_SIZED(dnp3_outstation_config, dnp3_outstation_config_init_size, dnp3_outstation_config_init, attr);
    CHECK_SIZED(dnp3_master_config, dnp3_master_config_init_size, dnp3_master_config_init, handler);
    CHECK_SIZED(dnp3_assoc_config, dnp3_assoc_config_init_size, dnp3_assoc_config_init, time_sync);
    CHECK_SIZED(dnp3_sa_outstation_config, dnp3_sa_outstation_config_init_size, dnp3_sa_outstation_config_init,
                authority_key_len);
    CHECK_SIZED(dnp3_sa_master_config, dnp3_sa_master_config_init_size, dnp3_sa_master_config_init, on_event);
}

/* What an older program built this way passes is accepted (the outstation: up to attr). */
static void test_older_config_accepted(void **state)
{
    (void)state;
    static _Alignas(max_align_t) unsigned char buf[sizeof(dnp3_outstation_config) + 64];
    dnp3_outstation_config *c = (dnp3_outstation_config *)(void *)buf;
    memset(buf, CANARY, sizeof buf);
    dnp3_outstation_config_init_size(c, offsetof(dnp3_outstation_config, attr));
    assert_true(dnp3_outstation_memory_size(c) > 0);
    assert_int_equal(dnp3_outstation_config_check(c, NULL), DNP3_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sized_inits),
        cmocka_unit_test(test_older_config_accepted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
