/*
 * test_io_errors.c - one error space in the runtime (docs/architecture.md,
 * Errors): the public functions of dnp3/io.h and dnp3/io_roles.h return
 * library codes (dnp3/types.h), never libuv's, and log the system's own text.
 * The mapping itself (dnp3_iox_error, src/io/io_errors.c) code by code, then
 * real failures: a port already in use, an address that is not this
 * machine's, a host that does not resolve, bad arguments and configurations,
 * a master opened twice.
 */
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dnp3/io_roles.h"
#include "io_internal.h"
#include "io_channel.h"
#include "testutil.h"

/* A library code with a text of its own, not the fallback. */
static void assert_library_code(int rc)
{
    assert_true(rc >= DNP3_ERR_MIN && rc <= DNP3_ERR_MAX);
    assert_string_not_equal(dnp3_strerror(rc), "unknown error");
    assert_string_not_equal(dnp3_err_name(rc), "DNP3_ERR_UNKNOWN");
}

static void test_mapping(void **state)
{
    (void)state;
    static const struct {
        int uv, lib;
    } table[] = {
        {UV_ENOMEM, DNP3_ERR_NOMEM},
        {UV_ENOBUFS, DNP3_ERR_NOMEM},
        {UV_EINVAL, DNP3_ERR_INVALID_ARG},
        {UV_EADDRINUSE, DNP3_ERR_IO_ADDR_IN_USE},
        {UV_EADDRNOTAVAIL, DNP3_ERR_IO_ADDR_NOT_AVAILABLE},
        {UV_ECONNREFUSED, DNP3_ERR_IO_CONNECTION_REFUSED},
        {UV_ENOTCONN, DNP3_ERR_IO_NOT_CONNECTED},
        {UV_EPIPE, DNP3_ERR_IO_NOT_CONNECTED},
        {UV_ECONNRESET, DNP3_ERR_IO_NOT_CONNECTED},
        {UV_ETIMEDOUT, DNP3_ERR_IO_TIMED_OUT},
        {UV_EACCES, DNP3_ERR_IO_PERMISSION},
        {UV_EPERM, DNP3_ERR_IO_PERMISSION},
        {UV_EAI_NONAME, DNP3_ERR_IO_ADDRESS},
        {UV_EAI_FAMILY, DNP3_ERR_IO_ADDRESS},
        {UV_EAFNOSUPPORT, DNP3_ERR_IO_ADDRESS},
        {UV_EMFILE, DNP3_ERR_IO}, /* no code of its own */
        {UV_EOF, DNP3_ERR_IO},
        {UV_ENOSPC, DNP3_ERR_IO},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        int rc = dnp3_iox_error(table[i].uv);
        if (rc != table[i].lib)
            fail_msg("%s -> %s, expected %s", uv_err_name(table[i].uv), dnp3_err_name(rc),
                     dnp3_err_name(table[i].lib));
        assert_library_code(rc);
    }
    assert_int_equal(dnp3_iox_error(0), DNP3_OK);
    assert_int_equal(dnp3_iox_error(5), DNP3_OK);
    /* a library code passes unchanged */
    assert_int_equal(dnp3_iox_error(DNP3_ERR_IO_TLS), DNP3_ERR_IO_TLS);
    assert_int_equal(dnp3_iox_error(DNP3_ERR_NOMEM), DNP3_ERR_NOMEM);
}

/* ---- real failures ---- */

typedef struct {
    char log[2048];
} logbuf;

static void on_log(void *ctx, const char *msg)
{
    logbuf *l = ctx;
    size_t n = strlen(l->log);
    snprintf(l->log + n, sizeof l->log - n, "%s\n", msg);
}

static bool no_session(void *ctx, const char *peer, dnp3_channel **ch, dnp3_io_upper *up)
{
    (void)ctx;
    (void)peer;
    (void)ch;
    (void)up;
    return false;
}

static void listen_config(dnp3_io_config *c, const char *host, uint16_t port)
{
    dnp3_io_config_init(c, DNP3_IO_TCP_LISTEN);
    c->host = host;
    c->port = port;
    c->accept = no_session;
}

static void close_loop(uv_loop_t *loop)
{
    uv_run(loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(loop), 0);
}

static void test_port_in_use(void **state)
{
    (void)state;
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    logbuf lb = {{0}};
    dnp3_io_upper up = {0};
    up.ctx = &lb;
    up.log = on_log;
    dnp3_io_config c;
    listen_config(&c, "127.0.0.1", 0);
    dnp3_io *first = NULL, *second = NULL;
    assert_int_equal(dnp3_io_start(&loop, &c, NULL, &up, &first), DNP3_OK);
    c.port = dnp3_io_local_port(first);
    assert_true(c.port != 0);
    int rc = dnp3_io_start(&loop, &c, NULL, &up, &second);
    assert_int_equal(rc, DNP3_ERR_IO_ADDR_IN_USE);
    assert_library_code(rc);
    assert_null(second);
    /* the system's own text went to the log */
    assert_non_null(strstr(lb.log, uv_strerror(UV_EADDRINUSE)));
    assert_non_null(strstr(lb.log, "cannot listen on TCP 127.0.0.1:"));
    dnp3_io_stop(first);
    close_loop(&loop);
}

static void test_address_not_available(void **state)
{
    (void)state;
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    dnp3_io_config c;
    listen_config(&c, "192.0.2.1", 0); /* TEST-NET-1 (RFC 5737): no machine's own address */
    dnp3_io *io = NULL;
    int rc = dnp3_io_start(&loop, &c, NULL, NULL, &io);
    assert_int_equal(rc, DNP3_ERR_IO_ADDR_NOT_AVAILABLE);
    assert_library_code(rc);
    assert_null(io);
    close_loop(&loop);
}

static void test_bad_host(void **state)
{
    (void)state;
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    logbuf lb = {{0}};
    dnp3_io_upper up = {0};
    up.ctx = &lb;
    up.log = on_log;
    dnp3_io_config c;
    listen_config(&c, "no-such-host.invalid", 0); /* .invalid never resolves (RFC 2606) */
    dnp3_io *io = NULL;
    int rc = dnp3_io_start(&loop, &c, NULL, &up, &io);
    assert_int_equal(rc, DNP3_ERR_IO_ADDRESS);
    assert_library_code(rc);
    assert_non_null(strstr(lb.log, "cannot resolve no-such-host.invalid"));
    close_loop(&loop);
}

static void test_permission(void **state)
{
    (void)state;
    if (geteuid() == 0) skip(); /* root may bind any port */
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    dnp3_io_config c;
    listen_config(&c, "127.0.0.1", 1); /* below 1024 */
    dnp3_io *io = NULL;
    int rc = dnp3_io_start(&loop, &c, NULL, NULL, &io);
    if (rc == DNP3_OK) { /* CAP_NET_BIND_SERVICE or a lowered ip_unprivileged_port_start */
        dnp3_io_stop(io);
        close_loop(&loop);
        skip();
    }
    assert_int_equal(rc, DNP3_ERR_IO_PERMISSION);
    close_loop(&loop);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    dnp3_io_config c;
    listen_config(&c, "127.0.0.1", 0);
    dnp3_io *io = NULL;
    assert_int_equal(dnp3_io_start(NULL, &c, NULL, NULL, &io), DNP3_ERR_INVALID_ARG);
    assert_int_equal(dnp3_io_start(&loop, NULL, NULL, NULL, &io), DNP3_ERR_INVALID_ARG);
    assert_int_equal(dnp3_io_start(&loop, &c, NULL, NULL, NULL), DNP3_ERR_INVALID_ARG);
    /* a size larger than this library's struct: a newer caller */
    c.size = sizeof c + 8;
    assert_int_equal(dnp3_io_start(&loop, &c, NULL, NULL, &io), DNP3_ERR_INVALID_ARG);
    /* no channel for a kind that needs one */
    dnp3_io_config_init(&c, DNP3_IO_TCP_SERVER);
    assert_int_equal(dnp3_io_start(&loop, &c, NULL, NULL, &io), DNP3_ERR_INVALID_ARG);
    /* TLS over UDP (IEC 62351-3 is TCP only): refused before the configuration is read */
    dnp3_io_config_init(&c, DNP3_IO_UDP);
    c.tls = (dnp3_tls *)(void *)&c;
    void *mem;
    dnp3_channel *ch = io_test_channel(NULL, &mem, dnp3_io_now(&loop));
    assert_int_equal(dnp3_io_start(&loop, &c, ch, NULL, &io), DNP3_ERR_INVALID_ARG);
    assert_library_code(DNP3_ERR_INVALID_ARG);
    free(mem);
    close_loop(&loop);
}

static void test_roles(void **state)
{
    (void)state;
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    dnp3_channel_config cc;
    dnp3_channel_config_init(&cc);
    cc.local_addr = 1;
    cc.remote_addr = 10;
    dnp3_master_config mc;
    dnp3_master_config_init(&mc);
    dnp3_io_master *m = NULL;
    assert_int_equal(dnp3_io_master_create(NULL, &cc, &mc, NULL, &m), DNP3_ERR_INVALID_ARG);
    dnp3_channel_config bad = cc;
    bad.max_tx_fragment = 0;
    int rc = dnp3_io_master_create(&loop, &bad, &mc, NULL, &m);
    assert_int_equal(rc, DNP3_ERR_CONFIG);
    assert_library_code(rc);
    assert_int_equal(dnp3_io_master_create(&loop, &cc, &mc, NULL, &m), DNP3_OK);
    assert_int_equal(dnp3_io_master_open(m, NULL), DNP3_ERR_INVALID_ARG);
    dnp3_io_config ioc;
    dnp3_io_config_init(&ioc, DNP3_IO_TCP_CLIENT);
    ioc.host = "no-such-host.invalid";
    assert_int_equal(dnp3_io_master_open(m, &ioc), DNP3_ERR_IO_ADDRESS);
    ioc.host = "127.0.0.1";
    ioc.port = 1; /* nothing listens: the connection fails later, not here */
    ioc.reconnect = false;
    assert_int_equal(dnp3_io_master_open(m, &ioc), DNP3_OK);
    rc = dnp3_io_master_open(m, &ioc);
    assert_int_equal(rc, DNP3_ERR_STATE); /* already open */
    assert_library_code(rc);
    dnp3_io_master_stop(m);

    dnp3_io_config lc;
    listen_config(&lc, "127.0.0.1", 0);
    dnp3_io_master_listener *l1 = NULL, *l2 = NULL;
    assert_int_equal(dnp3_io_master_listen(&loop, &lc, &cc, &mc, NULL, NULL, NULL, &l1), DNP3_OK);
    lc.port = dnp3_io_local_port(dnp3_io_master_listener_io(l1));
    assert_int_equal(dnp3_io_master_listen(&loop, &lc, &cc, &mc, NULL, NULL, NULL, &l2), DNP3_ERR_IO_ADDR_IN_USE);
    assert_int_equal(dnp3_io_master_listen(&loop, &lc, &cc, &mc, NULL, NULL, NULL, NULL), DNP3_ERR_INVALID_ARG);
    dnp3_io_master_listener_stop(l1);
    close_loop(&loop);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mapping),
        cmocka_unit_test(test_port_in_use),
        cmocka_unit_test(test_address_not_available),
        cmocka_unit_test(test_bad_host),
        cmocka_unit_test(test_permission),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_roles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
