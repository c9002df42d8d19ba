/* TLS 1.3 early data over a BIO pair: SSL_CTX_set/get_max_early_data, the session's
 * max_early_data, SSL_write_early_data before the handshake, SSL_read_early_data on the
 * server (SUCCESS / ERROR with WANT_READ / FINISH, and what follows FINISH), the early data
 * status on both sides when accepted, when the ticket is offered again (refused as a
 * replay) and when the server does not take early data; the calls made in the wrong place
 * (server writing, client reading, no session). */
#include "common.h"

static void early_report(const char *tag, SSL *s, int ret, size_t n, const char *buf)
{
    printf("%s: ret=%d err=%d bytes=%d", tag, ret, ret == SSL_READ_EARLY_DATA_ERROR ?
           SSL_get_error(s, 0) : 0, (int)n);
    if (ret == SSL_READ_EARLY_DATA_SUCCESS)
        printf(" data=%.*s", (int)n, buf);
    printf("\n");
    errs(tag);
}

/* One byte each way, so that the client reads the tickets. */
static void exchange(SSL *c, SSL *s, const char *tag)
{
    char b[32];
    int w = SSL_write(s, "server says hi", 14);
    int r = SSL_read(c, b, sizeof(b));
    printf("%s: server->client %d/%d %.*s\n", tag, w, r, r > 0 ? r : 0, b);
    w = SSL_write(c, "client says hi", 14);
    r = SSL_read(s, b, sizeof(b));
    printf("%s: client->server %d/%d %.*s\n", tag, w, r, r > 0 ? r : 0, b);
}

static SSL_SESSION *first_session(SSL_CTX *cctx, SSL_CTX *sctx)
{
    SSL *c, *s;
    make_pair(cctx, sctx, 0, &c, &s, NULL, NULL);
    if (!handshake(c, s))
        exit(1);
    exchange(c, s, "full");
    SSL_SESSION *sess = SSL_get1_session(c);
    printf("session: max_early=%u resumable=%d status=%d/%d\n",
           (unsigned)SSL_SESSION_get_max_early_data(sess), SSL_SESSION_is_resumable(sess),
           SSL_get_early_data_status(c), SSL_get_early_data_status(s));
    SSL_shutdown(c);
    SSL_shutdown(s);
    SSL_free(c);
    SSL_free(s);
    return sess;
}

/* A connection offering `sess` with early data. */
static void zero_rtt(SSL_CTX *cctx, SSL_CTX *sctx, SSL_SESSION *sess, const char *tag)
{
    SSL *c, *s;
    char buf[64];
    size_t n = 0, w = 0;
    int r;
    printf("--- %s\n", tag);
    make_pair(cctx, sctx, 0, &c, &s, NULL, NULL);
    SSL_set_session(c, sess);
    printf("before: status=%d/%d\n", SSL_get_early_data_status(c), SSL_get_early_data_status(s));
    r = SSL_write_early_data(c, "early ", 6, &w);
    printf("write_early_data: ret=%d written=%d\n", r, (int)w);
    errs("write_early_data");
    r = SSL_write_early_data(c, "hello", 5, &w);
    printf("write_early_data: ret=%d written=%d status=%d\n", r, (int)w,
           SSL_get_early_data_status(c));
    errs("write_early_data");
    /* The server reads what there is, then waits for the client (FINISH at once when it
     * does not take the early data). */
    int finished = 0;
    for (int i = 0; i < 4; i++) {
        n = 0;
        r = SSL_read_early_data(s, buf, sizeof(buf), &n);
        early_report("read_early_data", s, r, n, buf);
        finished = r == SSL_READ_EARLY_DATA_FINISH;
        if (r != SSL_READ_EARLY_DATA_SUCCESS)
            break;
    }
    printf("server status=%d\n", SSL_get_early_data_status(s));
    r = SSL_do_handshake(c);
    report("client handshake", c, r);
    /* A replayed or refused early-data ticket: OpenSSL's server made it a stateful ticket
     * (used once; unknown to a server without early data), oxssl's is stateless and
     * resumes without the early data (README): reuse is printed only when accepted. */
    printf("client status=%d\n", SSL_get_early_data_status(c));
    if (SSL_get_early_data_status(c) == SSL_EARLY_DATA_ACCEPTED)
        printf("reused=%d/%d\n", SSL_session_reused(c), SSL_session_reused(s));
    /* The end of early data reaches the server. */
    for (int i = 0; i < 4 && !finished; i++) {
        n = 0;
        r = SSL_read_early_data(s, buf, sizeof(buf), &n);
        early_report("read_early_data", s, r, n, buf);
        if (r == SSL_READ_EARLY_DATA_FINISH)
            break;
    }
    /* After FINISH, reading early data is no longer allowed. */
    r = SSL_read_early_data(s, buf, sizeof(buf), &n);
    early_report("read_early_data again", s, r, 0, buf);
    r = SSL_do_handshake(s);
    report("server handshake", s, r);
    printf("server status=%d\n", SSL_get_early_data_status(s));
    /* Early data can no longer be written by the client. */
    r = SSL_write_early_data(c, "late", 4, &w);
    printf("late write_early_data: ret=%d\n", r);
    errs("late write_early_data");
    exchange(c, s, tag);
    printf("status=%d/%d\n", SSL_get_early_data_status(c), SSL_get_early_data_status(s));
    SSL_shutdown(c);
    SSL_shutdown(s);
    SSL_free(c);
    SSL_free(s);
}

int main(int argc, char **argv)
{
    args(argc, argv);
    SSL_CTX *cctx = make_ctx(0, TLS1_3_VERSION), *sctx = make_ctx(1, TLS1_3_VERSION);
    unsigned m0 = SSL_CTX_get_max_early_data(sctx);
    int set = SSL_CTX_set_max_early_data(sctx, 1024);
    printf("max early data: %u set=%d now=%u client=%u\n", m0, set,
           (unsigned)SSL_CTX_get_max_early_data(sctx), (unsigned)SSL_CTX_get_max_early_data(cctx));
    SSL_SESSION *sess = first_session(cctx, sctx);

    /* Calls in the wrong place. */
    SSL *c, *s;
    char buf[16];
    size_t n = 0, w = 0;
    make_pair(cctx, sctx, 0, &c, &s, NULL, NULL);
    printf("no session: %d\n", SSL_write_early_data(c, "x", 1, &w));
    errs("no session");
    printf("server writes: %d\n", SSL_write_early_data(s, "x", 1, &w));
    errs("server writes");
    printf("client reads: %d\n", SSL_read_early_data(c, buf, sizeof(buf), &n));
    errs("client reads");
    SSL_free(c);
    SSL_free(s);

    zero_rtt(cctx, sctx, sess, "accepted");
    zero_rtt(cctx, sctx, sess, "replayed");
    /* A server that no longer takes early data (its context changed: rebuilt in oxssl). */
    SSL_SESSION *sess2 = first_session(cctx, sctx);
    SSL_CTX_set_max_early_data(sctx, 0);
    zero_rtt(cctx, sctx, sess2, "server limit 0");

    printf("null: status=%d\n", SSL_get_early_data_status(NULL));
    printf("null: max=%u\n", (unsigned)SSL_SESSION_get_max_early_data(sess));
    SSL_SESSION_free(sess);
    SSL_SESSION_free(sess2);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    errs("end");
    return 0;
}
