/*
 * test_io_config.c - dnp3_io_config::size: a program built against an older
 * header passes a smaller struct and gets dnp3_io_config_init's defaults for
 * the fields it did not know (the runtime must not read past its size); the
 * smallest size accepted ends with `port`; a smaller one, or a larger one (a
 * newer header), is refused with DNP3_ERR_INVALID_ARG.
 */
#include <stdalign.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "dnp3/io_roles.h"
#include "io_channel.h"
#include "testutil.h"

#define MIN_SIZE ((uint32_t)(offsetof(dnp3_io_config, port) + sizeof(uint16_t)))

typedef struct {
    uv_loop_t loop;
    uv_timer_t deadline;
    uv_tcp_t client;
    uv_connect_t creq;
    void *ch_mem;
    dnp3_channel *ch;
    bool opened, rejected;
} fixture;

static void on_open(void *ctx, const char *peer, dnp3_tstamp now)
{
    (void)peer;
    (void)now;
    fixture *f = ctx;
    f->opened = true;
    uv_stop(&f->loop);
}

static void on_log(void *ctx, const char *msg)
{
    fixture *f = ctx;
    if (strstr(msg, "not in the allow-list")) {
        f->rejected = true;
        uv_stop(&f->loop);
    }
}

static void on_deadline(uv_timer_t *t)
{
    uv_stop(t->loop);
}
static void on_connected(uv_connect_t *req, int status)
{
    (void)req;
    (void)status;
}

static void fixture_init(fixture *f)
{
    memset(f, 0, sizeof *f);
    assert_int_equal(uv_loop_init(&f->loop), 0);
    uv_timer_init(&f->loop, &f->deadline);
    f->ch = io_test_channel(NULL, &f->ch_mem, dnp3_io_now(&f->loop));
}

static void fixture_close(fixture *f)
{
    uv_close((uv_handle_t *)&f->deadline, NULL);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&f->loop), 0);
    free(f->ch_mem);
}

/* A TCP server configuration whose fields after `port` all hold what must not be read. */
static void poisoned_server(dnp3_io_config *c)
{
    static const char *const allow_nobody[] = {"10.9.9.9"};
    dnp3_io_config_init(c, DNP3_IO_TCP_SERVER);
    c->host = "127.0.0.1";
    c->port = 0;
    c->accept_policy = (dnp3_io_accept_policy)77;
    c->allow = allow_nobody; /* only 10.9.9.9 may connect */
    c->allow_count = 1;
    c->reconnect_min_ms = 0xDEAD;
    c->udp_peer_host = (const char *)(uintptr_t)1; /* would crash if read */
    c->tls = (dnp3_tls *)(uintptr_t)1;             /* would crash if read */
    c->tls_peer_name = (const char *)(uintptr_t)1; /* would crash if read */
}

/* Starts a server with `c`, connects to it from 127.0.0.1; returns after on_open or a rejection. */
static void serve_and_connect(fixture *f, const dnp3_io_config *c)
{
    dnp3_io_upper up = {0};
    up.ctx = f;
    up.on_open = on_open;
    up.log = on_log;
    dnp3_io *io = NULL;
    assert_int_equal(dnp3_io_start(&f->loop, c, f->ch, &up, &io), DNP3_OK);
    uint16_t port = dnp3_io_local_port(io);
    assert_true(port != 0);
    struct sockaddr_in sa;
    uv_ip4_addr("127.0.0.1", port, &sa);
    uv_tcp_init(&f->loop, &f->client);
    assert_int_equal(uv_tcp_connect(&f->creq, &f->client, (const struct sockaddr *)&sa, on_connected), 0);
    uv_timer_start(&f->deadline, on_deadline, 5000, 0);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    uv_timer_stop(&f->deadline);
    dnp3_io_stop(io);
    uv_close((uv_handle_t *)&f->client, NULL);
}

static void test_size_range(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f);
    dnp3_io_config c;
    dnp3_io_config_init(&c, DNP3_IO_TCP_SERVER);
    c.host = "127.0.0.1";
    c.port = 0;
    dnp3_io *io = NULL;
    c.size = MIN_SIZE - 1; /* port cut */
    assert_int_equal(dnp3_io_start(&f.loop, &c, f.ch, NULL, &io), DNP3_ERR_INVALID_ARG);
    c.size = 0;
    assert_int_equal(dnp3_io_start(&f.loop, &c, f.ch, NULL, &io), DNP3_ERR_INVALID_ARG);
    c.size = (uint32_t)sizeof c + 1; /* a newer header's struct */
    assert_int_equal(dnp3_io_start(&f.loop, &c, f.ch, NULL, &io), DNP3_ERR_INVALID_ARG);
    assert_null(io);
    c.size = MIN_SIZE;
    assert_int_equal(dnp3_io_start(&f.loop, &c, f.ch, NULL, &io), DNP3_OK);
    assert_true(dnp3_io_local_port(io) != 0);
    dnp3_io_stop(io);
    c.size = (uint32_t)sizeof c;
    assert_int_equal(dnp3_io_start(&f.loop, &c, f.ch, NULL, &io), DNP3_OK);
    dnp3_io_stop(io);
    fixture_close(&f);
}

static void test_full_size_reads_everything(void **state)
{
    (void)state;
    /* the reference: with every field read, the allow-list turns 127.0.0.1 away */
    fixture f;
    fixture_init(&f);
    dnp3_io_config c;
    poisoned_server(&c);
    c.accept_policy = DNP3_IO_REPLACE_OLD;
    c.udp_peer_host = c.tls_peer_name = NULL;
    c.tls = NULL;
    serve_and_connect(&f, &c);
    assert_true(f.rejected);
    assert_false(f.opened);
    fixture_close(&f);
}

static void test_oldest_size_gets_defaults(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f);
    dnp3_io_config c;
    poisoned_server(&c);
    c.size = MIN_SIZE; /* a caller that knew size, kind, host and port only */
    serve_and_connect(&f, &c);
    assert_true(f.opened); /* no allow-list, no TLS: the defaults */
    assert_false(f.rejected);
    fixture_close(&f);
}

static void test_middle_size(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f);
    dnp3_io_config c;
    poisoned_server(&c);
    c.accept_policy = DNP3_IO_REPLACE_OLD;
    c.size = (uint32_t)offsetof(dnp3_io_config, reconnect_min_ms); /* knew the server's fields */
    serve_and_connect(&f, &c);
    assert_true(f.rejected); /* its allow-list is read; TLS and the rest are not */
    assert_false(f.opened);
    fixture_close(&f);
}

static void test_roles_accept_older_size(void **state)
{
    (void)state;
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    dnp3_io_config c;
    poisoned_server(&c);
    c.size = MIN_SIZE;
    dnp3_channel_config cc;
    dnp3_channel_config_init(&cc);
    dnp3_master_config mc;
    dnp3_master_config_init(&mc);
    dnp3_io_master_listener *l = NULL;
    assert_int_equal(dnp3_io_master_listen(&loop, &c, &cc, &mc, NULL, NULL, NULL, &l), DNP3_OK);
    assert_true(dnp3_io_local_port(dnp3_io_master_listener_io(l)) != 0);
    dnp3_io_master_listener_stop(l);
    c.size = MIN_SIZE - 1;
    assert_int_equal(dnp3_io_master_listen(&loop, &c, &cc, &mc, NULL, NULL, NULL, &l), DNP3_ERR_INVALID_ARG);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_size_range),
        cmocka_unit_test(test_full_size_reads_everything),
        cmocka_unit_test(test_oldest_size_gets_defaults),
        cmocka_unit_test(test_middle_size),
        cmocka_unit_test(test_roles_accept_older_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
