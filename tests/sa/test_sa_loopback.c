/*
 * test_sa_loopback.c - Secure Authentication (IEEE 1815-2012 clause 7)
 * end to end in memory: our master (with dnp3_sa_master on its association)
 * and our outstation (with dnp3_sa_outstation) over the loopback wire of
 * tests/loopback/lb_master.h under virtual time. Covers start-up key
 * exchange, transparent challenges for the start-up tasks and commands (DO,
 * SBO), aggressive mode, and each failure: wrong update key, wrong user,
 * master without SA, lost reply (challenge timeout), duplicated reply
 * (replay), expired session keys on either side; the update-key change as a
 * master task (and with a wrong authority key).
 */
#include "../loopback/lb_master.h"
#include "sa_fixture.h"

static sf_rng lrng;
static dnp3_crypto lcrypto;
static dnp3_sa_outstation *osa;
static dnp3_sa_master *msa;
static alignas(max_align_t) uint8_t l_sa_os[1 << 16];
static alignas(max_align_t) uint8_t l_sa_m[1 << 14];
static int n_auth_rsp;   /* AUTH_RESPONSE chunks outstation -> master */
static int drop_replies; /* g120v2 chunks to drop */
static int dup_replies;  /* g120v2 chunks to duplicate */

static lb_action fault(int dir, int fc, const uint8_t *c, size_t len)
{
    (void)c, (void)len;
    if (dir == 1 && fc == 0x83) n_auth_rsp++;
    if (dir == 0 && fc == 0x20 && len > 20 && c[13] == 120 &&
        c[14] == 2) { /* g120v2: link 10, transport, AC, FC */
        if (drop_replies > 0) {
            drop_replies--;
            return LB_DROP;
        }
        if (dup_replies > 0) {
            dup_replies--;
            return LB_DUP;
        }
    }
    return LB_PASS;
}

typedef struct {
    uint16_t os_user;
    uint8_t os_key_first;
    uint16_t m_user;
    uint8_t m_key_first;
    bool m_sa;
    bool aggressive;
    uint32_t os_interval, m_interval;
    bool uk; /* the outstation permits update-key changes (authority key, names) */
} opts;

static void setup(const opts *o)
{
    dnp3_outstation_config oc;
    lb_default_outstation(&oc);
    oc.unsolicited = true;
    dnp3_assoc_config ac;
    lb_default_assoc(&ac);
    ac.startup_integrity = DNP3_CLASS_ALL;
    lb_setup(&oc, &ac, false);
    lb.fault = fault;
    n_auth_rsp = drop_replies = dup_replies = 0;
    memset(&lrng, 0, sizeof lrng);
    lcrypto = sf_crypto(&lrng);

    dnp3_sa_outstation_config sc;
    dnp3_sa_outstation_config_init(&sc);
    sc.crypto = &lcrypto;
    sc.n_users = 1;
    sc.users[0].number = o->os_user;
    sc.users[0].key_len = 16;
    sf_key(sc.users[0].key, 16, o->os_key_first);
    sc.key_change_interval_ms = o->os_interval;
    if (o->uk) {
        sc.authority_key_len = 32;
        sf_key(sc.authority_key, 32, 0x40);
        strcpy(sc.users[0].name, "jim");
        strcpy(sc.outstation_name, "rtu7");
    }
    osa = dnp3_sa_outstation_init(l_sa_os, sizeof l_sa_os, &sc, 0);
    assert_non_null(osa);
    dnp3_outstation_set_sa(lb.os, osa);
    msa = NULL;
    if (o->m_sa) {
        dnp3_sa_master_config mc;
        dnp3_sa_master_config_init(&mc);
        mc.crypto = &lcrypto;
        mc.user.number = o->m_user;
        mc.user.key_len = 16;
        sf_key(mc.user.key, 16, o->m_key_first);
        mc.aggressive_mode = o->aggressive;
        mc.key_change_interval_ms = o->m_interval;
        msa = dnp3_sa_master_init(l_sa_m, sizeof l_sa_m, &mc, 0);
        assert_non_null(msa);
        assert_int_equal(dnp3_master_assoc_set_sa(lb.a, msa), DNP3_OK);
    }
    lb_connect();
    lb_advance(100);
}

static const opts GOOD = {1, 0, 1, 0, true, false, 0, 0, false};

static dnp3_task_result operate(dnp3_command_mode mode)
{
    dnp3_command c = dnp3_command_crob(1, 0x03, 1, 100, 100);
    size_t before = lb.n_user_done;
    assert_int_equal(dnp3_master_operate(lb.a, mode, 0, &c, 1, lb_user_cb, NULL, lb.now), DNP3_OK);
    lb_advance(20000);
    assert_int_equal(lb.n_user_done, before + 1);
    return lb.last_user.result;
}

static void test_startup_and_commands(void **state)
{
    (void)state;
    setup(&GOOD);
    assert_int_equal(lb_count_auto(DNP3_TASK_AUTH_KEYS, DNP3_TASK_SUCCESS), 1);
    assert_int_equal(dnp3_sa_master_key_status(msa, lb.now), DNP3_SA_KS_OK);
    assert_int_equal(dnp3_sa_outstation_key_status(osa, 1), DNP3_SA_KS_OK);
    /* the start-up DISABLE_UNSOLICITED was critical: challenged and answered transparently */
    assert_int_equal(lb_count_auto(DNP3_TASK_DISABLE_UNSOLICITED, DNP3_TASK_SUCCESS), 1);
    assert_int_equal(lb_count_auto(DNP3_TASK_INTEGRITY_POLL, DNP3_TASK_SUCCESS), 1);
    assert_int_equal(operate(DNP3_CMD_DIRECT_OPERATE), DNP3_TASK_SUCCESS);
    assert_int_equal(lb.crob_calls[DNP3_CTRL_DIRECT_OPERATE], 1);
    assert_int_equal(operate(DNP3_CMD_SELECT_OPERATE), DNP3_TASK_SUCCESS);
    assert_int_equal(lb.crob_calls[DNP3_CTRL_SELECT], 1);
    assert_int_equal(lb.crob_calls[DNP3_CTRL_OPERATE], 1);
    const uint32_t *st = dnp3_sa_outstation_stats(osa);
    assert_int_equal(st[DNP3_SA_STAT_SUCCESSFUL_AUTHENTICATIONS],
                     6); /* DISABLE_UNSOL, WRITE (clear restart), ENABLE_UNSOL, DO, SELECT, OPERATE */
    assert_int_equal(st[DNP3_SA_STAT_AUTHENTICATION_FAILURES], 0);
    /* g121 statistics read by the master */
    uint8_t hdr[] = {121, 0, 0x06};
    assert_int_equal(dnp3_master_read(lb.a, hdr, sizeof hdr, lb_user_cb, NULL, lb.now), DNP3_OK);
    lb_advance(1000);
    assert_int_equal(lb.last_user.result, DNP3_TASK_SUCCESS);
}

static void test_aggressive(void **state)
{
    (void)state;
    opts o = GOOD;
    o.aggressive = true;
    setup(&o);
    int before = n_auth_rsp;
    assert_int_equal(operate(DNP3_CMD_DIRECT_OPERATE), DNP3_TASK_SUCCESS);
    assert_int_equal(lb.crob_calls[DNP3_CTRL_DIRECT_OPERATE], 1);
    assert_int_equal(n_auth_rsp, before); /* no challenge: one round trip */
    assert_int_equal(operate(DNP3_CMD_DIRECT_OPERATE), DNP3_TASK_SUCCESS);
    assert_int_equal(lb.crob_calls[DNP3_CTRL_DIRECT_OPERATE], 2);
    assert_int_equal(n_auth_rsp, before);
}

static void test_wrong_update_key(void **state)
{
    (void)state;
    opts o = GOOD;
    o.m_key_first = 0x40;
    setup(&o);
    assert_true(lb_count_auto(DNP3_TASK_AUTH_KEYS, DNP3_TASK_AUTH_FAILED) >= 1);
    assert_int_equal(lb_count_auto(DNP3_TASK_AUTH_KEYS, DNP3_TASK_SUCCESS), 0);
    assert_int_equal(lb_count_auto(DNP3_TASK_INTEGRITY_POLL, DNP3_TASK_SUCCESS), 0); /* nothing else ran */
    dnp3_task_result r = operate(DNP3_CMD_DIRECT_OPERATE);
    assert_int_not_equal(r, DNP3_TASK_SUCCESS);
    assert_int_equal(lb.crob_calls[DNP3_CTRL_DIRECT_OPERATE], 0);
    assert_int_equal(dnp3_sa_outstation_key_status(osa, 1), DNP3_SA_KS_AUTH_FAIL);
}

static void test_wrong_user(void **state)
{
    (void)state;
    opts o = GOOD;
    o.m_user = 5;
    setup(&o);
    assert_true(lb_count_auto(DNP3_TASK_AUTH_KEYS, DNP3_TASK_AUTH_FAILED) >= 1);
    assert_int_not_equal(operate(DNP3_CMD_DIRECT_OPERATE), DNP3_TASK_SUCCESS);
    assert_int_equal(lb.crob_calls[DNP3_CTRL_DIRECT_OPERATE], 0);
}

static void test_master_without_sa(void **state)
{
    (void)state;
    opts o = GOOD;
    o.m_sa = false;
    setup(&o);
    assert_int_equal(operate(DNP3_CMD_DIRECT_OPERATE), DNP3_TASK_UNSUPPORTED);
    assert_int_equal(lb.crob_calls[DNP3_CTRL_DIRECT_OPERATE], 0);
    /* the start-up DISABLE_UNSOLICITED is critical too: it fails the same way */
    assert_true(lb_count_auto(DNP3_TASK_DISABLE_UNSOLICITED, DNP3_TASK_UNSUPPORTED) >= 1);
    /* reads still work: READ is not critical */
    assert_int_equal(dnp3_master_read_class(lb.a, DNP3_CLASS_ALL, lb_user_cb, NULL, lb.now), DNP3_OK);
    lb_advance(1000);
    assert_int_equal(lb.last_user.result, DNP3_TASK_SUCCESS);
}

static void test_lost_and_duplicated_reply(void **state)
{
    (void)state;
    setup(&GOOD);
    drop_replies = 1; /* the outstation never sees the reply: challenge timeout, task timeout */
    assert_int_equal(operate(DNP3_CMD_DIRECT_OPERATE), DNP3_TASK_TIMEOUT);
    assert_int_equal(lb.crob_calls[DNP3_CTRL_DIRECT_OPERATE], 0);
    assert_int_equal(dnp3_sa_outstation_stats(osa)[DNP3_SA_STAT_REPLY_TIMEOUTS], 1);
    dup_replies = 1; /* the reply arrives twice: the second is a replay and is discarded */
    assert_int_equal(operate(DNP3_CMD_DIRECT_OPERATE), DNP3_TASK_SUCCESS);
    assert_int_equal(lb.crob_calls[DNP3_CTRL_DIRECT_OPERATE], 1);
    assert_true(dnp3_sa_outstation_stats(osa)[DNP3_SA_STAT_UNEXPECTED_MESSAGES] >= 1);
}

static void test_expiry_outstation_side(void **state)
{
    (void)state;
    opts o = GOOD;
    o.os_interval = 60000; /* the outstation expires its keys; the master does not know */
    setup(&o);
    lb_advance(61000);
    assert_int_equal(dnp3_sa_outstation_key_status(osa, 1), DNP3_SA_KS_COMM_FAIL);
    assert_int_equal(operate(DNP3_CMD_DIRECT_OPERATE), DNP3_TASK_AUTH_FAILED);
    assert_int_equal(lb.last_user.sa_error, DNP3_SA_ERR_AUTHENTICATION_FAILED);
    assert_int_equal(lb.crob_calls[DNP3_CTRL_DIRECT_OPERATE], 0);
    /* the master rekeys before the next task and the command goes through */
    assert_int_equal(operate(DNP3_CMD_DIRECT_OPERATE), DNP3_TASK_SUCCESS);
    assert_int_equal(lb.crob_calls[DNP3_CTRL_DIRECT_OPERATE], 1);
    assert_int_equal(lb_count_auto(DNP3_TASK_AUTH_KEYS, DNP3_TASK_SUCCESS), 2);
}

static void test_expiry_master_side(void **state)
{
    (void)state;
    opts o = GOOD;
    o.m_interval = 30000; /* the master rekeys on its own after 30 s */
    setup(&o);
    lb_advance(31000);
    assert_int_equal(operate(DNP3_CMD_DIRECT_OPERATE), DNP3_TASK_SUCCESS);
    assert_int_equal(lb_count_auto(DNP3_TASK_AUTH_KEYS, DNP3_TASK_SUCCESS), 2);
    assert_int_equal(dnp3_sa_outstation_stats(osa)[DNP3_SA_STAT_SESSION_KEY_CHANGES], 2);
}

static void test_reconnect_rekeys(void **state)
{
    (void)state;
    setup(&GOOD);
    lb_disconnect();
    lb_advance(1000);
    lb_connect();
    lb_advance(1000);
    assert_int_equal(lb_count_auto(DNP3_TASK_AUTH_KEYS, DNP3_TASK_SUCCESS), 2);
    assert_int_equal(operate(DNP3_CMD_DIRECT_OPERATE), DNP3_TASK_SUCCESS);
}

static dnp3_task_result change_update_key(uint8_t authority_first)
{
    dnp3_sa_update_key_change c = sf_update_key_change(authority_first, "jim");
    assert_int_equal(dnp3_sa_master_begin_update_key(msa, &c), DNP3_OK);
    size_t before = lb.n_user_done;
    assert_int_equal(dnp3_master_change_update_key(lb.a, lb_user_cb, NULL, lb.now), DNP3_OK);
    lb_advance(20000);
    assert_int_equal(lb.n_user_done, before + 1);
    assert_int_equal(lb.last_user.kind, DNP3_TASK_AUTH_UPDATE_KEY);
    return lb.last_user.result;
}

static void test_update_key_change_task(void **state)
{
    (void)state;
    opts o = GOOD;
    o.uk = true;
    setup(&o);
    assert_int_equal(dnp3_master_change_update_key(lb.a, lb_user_cb, NULL, lb.now), DNP3_ERR_STATE);
    assert_int_equal(operate(DNP3_CMD_DIRECT_OPERATE), DNP3_TASK_SUCCESS);
    /* a wrong authority key: refused, the old update key keeps working */
    assert_int_equal(change_update_key(0x41), DNP3_TASK_AUTH_FAILED);
    assert_int_equal(lb.last_user.sa_error, DNP3_SA_ERR_AUTHENTICATION_FAILED);
    assert_int_equal(operate(DNP3_CMD_DIRECT_OPERATE), DNP3_TASK_SUCCESS);
    /* the real change; the master then makes session keys with the new key */
    size_t keys_before = lb_count_auto(DNP3_TASK_AUTH_KEYS, DNP3_TASK_SUCCESS);
    assert_int_equal(change_update_key(0x40), DNP3_TASK_SUCCESS);
    assert_int_equal(dnp3_sa_outstation_stats(osa)[DNP3_SA_STAT_UPDATE_KEY_CHANGES], 1);
    assert_int_equal(dnp3_sa_master_stats(msa)[DNP3_SA_STAT_UPDATE_KEY_CHANGES], 1);
    assert_int_equal(operate(DNP3_CMD_SELECT_OPERATE), DNP3_TASK_SUCCESS);
    assert_true(lb_count_auto(DNP3_TASK_AUTH_KEYS, DNP3_TASK_SUCCESS) > keys_before);
    uint8_t k[DNP3_SA_MAX_KEY], want[32];
    sf_key(want, 32, 0x80);
    assert_int_equal(dnp3_sa_outstation_update_key(osa, 1, k), 32);
    assert_memory_equal(k, want, 32);
}

/* The authority adds "bob" through the master task: g120v10, then his update key; the master
 * then is bob (the outstation's user 2 - the fixture has only user 1) and operates as him. */
static void test_user_added_by_the_master_task(void **state)
{
    (void)state;
    opts o = GOOD;
    o.uk = true;
    setup(&o);
    assert_int_equal(operate(DNP3_CMD_DIRECT_OPERATE), DNP3_TASK_SUCCESS);
    dnp3_sa_update_key_change c = sf_update_key_change(0x40, "bob");
    c.status_operation = DNP3_SA_USER_ADD;
    c.status_change_seq = 1;
    c.role = DNP3_SA_ROLE_OPERATOR;
    assert_int_equal(dnp3_sa_master_begin_update_key(msa, &c), DNP3_OK);
    size_t before = lb.n_user_done;
    assert_int_equal(dnp3_master_change_update_key(lb.a, lb_user_cb, NULL, lb.now), DNP3_OK);
    lb_advance(20000);
    assert_int_equal(lb.n_user_done, before + 1);
    assert_int_equal(lb.last_user.result, DNP3_TASK_SUCCESS);
    uint8_t k[DNP3_SA_MAX_KEY];
    assert_int_equal(dnp3_sa_outstation_update_key(osa, 2, k), 32);
    assert_memory_equal(k, c.new_key, 32);
    assert_int_equal(operate(DNP3_CMD_SELECT_OPERATE), DNP3_TASK_SUCCESS);
    /* the same change again: its sequence number is used up */
    c.status_change_seq = 1;
    assert_int_equal(dnp3_sa_master_begin_update_key(msa, &c), DNP3_OK);
    assert_int_equal(dnp3_master_change_update_key(lb.a, lb_user_cb, NULL, lb.now), DNP3_OK);
    lb_advance(20000);
    assert_int_equal(lb.last_user.result, DNP3_TASK_AUTH_FAILED);
    assert_int_equal(lb.last_user.sa_error, DNP3_SA_ERR_INVALID_CERTIFICATION);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_startup_and_commands),
        cmocka_unit_test(test_aggressive),
        cmocka_unit_test(test_user_added_by_the_master_task),
        cmocka_unit_test(test_wrong_update_key),
        cmocka_unit_test(test_wrong_user),
        cmocka_unit_test(test_master_without_sa),
        cmocka_unit_test(test_lost_and_duplicated_reply),
        cmocka_unit_test(test_expiry_outstation_side),
        cmocka_unit_test(test_expiry_master_side),
        cmocka_unit_test(test_reconnect_rekeys),
        cmocka_unit_test(test_update_key_change_task),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
