/*
 * test_io_sigpipe.c - a write to a connection the peer has closed must not end the program.
 * libuv writes to sockets with write(2), and SIGPIPE's default action kills the process
 * silently: under a storm of connections to a replace-policy outstation, `dnp3 master watch`
 * vanished when its connection was replaced while it wrote. dnp3_io_start therefore ignores
 * SIGPIPE when the program left it at its default, and keeps a disposition of the program's
 * own.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dnp3/io_roles.h"
#include "io_channel.h"
#include "testutil.h"

/* Starts and stops a TCP server endpoint on 127.0.0.1:0 (the only effect wanted is the start). */
static void start_and_stop_endpoint(void)
{
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    void *mem;
    dnp3_channel *ch = io_test_channel(NULL, &mem, dnp3_io_now(&loop));
    dnp3_io_config c;
    dnp3_io_config_init(&c, DNP3_IO_TCP_SERVER);
    c.host = "127.0.0.1";
    c.port = 0;
    dnp3_io *io = NULL;
    assert_int_equal(dnp3_io_start(&loop, &c, ch, NULL, &io), DNP3_OK);
    dnp3_io_stop(io);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
    free(mem);
}

static void (*disposition(void))(int)
{
    struct sigaction sa;
    assert_int_equal(sigaction(SIGPIPE, NULL, &sa), 0);
    return sa.sa_handler;
}

static void own_handler(int sig)
{
    (void)sig;
}

/* Writes to a loopback connection whose other end has been closed until the write fails;
 * returns its errno (the process is still here to return it only if SIGPIPE did not kill it). */
static int write_to_closed_peer(void)
{
    int lsn = socket(AF_INET, SOCK_STREAM, 0), cli = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(lsn >= 0 && cli >= 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    assert_int_equal(bind(lsn, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(lsn, 1), 0);
    assert_int_equal(getsockname(lsn, (struct sockaddr *)&sa, &len), 0);
    assert_int_equal(connect(cli, (struct sockaddr *)&sa, sizeof sa), 0);
    int srv = accept(lsn, NULL, NULL);
    assert_true(srv >= 0);
    close(srv); /* the peer goes: the first write is answered with a reset, the next one fails */
    close(lsn);
    int err = 0;
    for (int i = 0; i < 50 && !err; i++) {
        if (write(cli, "\x05\x64", 2) < 0) err = errno;
        nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
    }
    close(cli);
    return err;
}

static void test_program_disposition_kept(void **state)
{
    (void)state;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = own_handler;
    sigemptyset(&sa.sa_mask);
    assert_int_equal(sigaction(SIGPIPE, &sa, NULL), 0);
    start_and_stop_endpoint();
    assert_true(disposition() == own_handler);
    sa.sa_handler = SIG_DFL;
    assert_int_equal(sigaction(SIGPIPE, &sa, NULL), 0);
}

static void test_default_becomes_ignored_and_the_write_fails_softly(void **state)
{
    (void)state;
    assert_true(disposition() == SIG_DFL);
    start_and_stop_endpoint();
    assert_true(disposition() == SIG_IGN);
    assert_int_equal(write_to_closed_peer(), EPIPE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_program_disposition_kept),
        cmocka_unit_test(test_default_becomes_ignored_and_the_write_fails_softly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
