/* Session resumption over BIO pairs: TLS 1.3 tickets, TLS 1.2 tickets and TLS 1.2 session
 * ids. SSL_get1_session / SSL_set_session (NULL clears), SSL_session_reused on both sides,
 * SSL_SESSION_is_resumable and the other getters, i2d/d2i (both conventions) then resumption
 * with the decoded session, the new-session callback (returning 1 keeps the reference, 0
 * lets the library free it), session cache mode and size, SSL_CTX_sess_number,
 * SSL_CTX_add_session / remove / flush, and a server context changed between connections
 * (its cache and ticket keys must survive). Session ids, times and DER lengths are random or
 * implementation-defined and are not printed. */
#include "common.h"
#include <time.h>

/* The time_t forms came with OpenSSL 3.4 (the long ones are deprecated there); a program
 * built against older headers (the binary drop-in check) uses the long ones. */
#if OPENSSL_VERSION_NUMBER >= 0x30400000L
#define FLUSH(ctx, t) SSL_CTX_flush_sessions_ex(ctx, (time_t)(t))
#define STIME(s) ((long)SSL_SESSION_get_time_ex(s))
#else
#define FLUSH(ctx, t) SSL_CTX_flush_sessions(ctx, (long)(t))
#define STIME(s) SSL_SESSION_get_time(s)
#endif

static int calls, keep;
static SSL_SESSION *kept[16];
static int nkept;

static int new_cb(SSL *ssl, SSL_SESSION *sess)
{
    calls++;
    printf("  new_cb: server=%d resumable=%d version=%x ticket=%d current=%d\n",
           SSL_is_server(ssl), SSL_SESSION_is_resumable(sess),
           (unsigned)SSL_SESSION_get_protocol_version(sess), SSL_SESSION_has_ticket(sess),
           SSL_get_session(ssl) == sess);
    if (keep && nkept < 16) {
        kept[nkept++] = sess;
        return 1;
    }
    return 0;
}

/* One connection: handshake, then one byte each way so that a TLS 1.3 client reads the
 * tickets sent after the server's handshake. Offers `offer` (if not NULL). */
static void connect_once(SSL_CTX *cctx, SSL_CTX *sctx, SSL_SESSION *offer, SSL **cp, SSL **sp,
                         const char *tag)
{
    SSL *c, *s;
    unsigned char b = 'x';
    make_pair(cctx, sctx, 0, &c, &s, NULL, NULL);
    if (offer != NULL) {
        int set = SSL_set_session(c, offer);
        printf("%s: set_session=%d same=%d\n", tag, set, SSL_get_session(c) == offer);
    }
    printf("%s: before handshake reused=%d/%d\n", tag, SSL_session_reused(c),
           SSL_session_reused(s));
    calls = 0;
    if (!handshake(c, s))
        exit(1);
    if (SSL_write(s, &b, 1) != 1 || SSL_read(c, &b, 1) != 1 || SSL_write(c, &b, 1) != 1
        || SSL_read(s, &b, 1) != 1)
        printf("%s: exchange failed\n", tag);
    printf("%s: reused client=%d server=%d new_cb calls=%d client cache=%ld\n", tag,
           SSL_session_reused(c), SSL_session_reused(s), calls,
           SSL_CTX_sess_number(SSL_get_SSL_CTX(c)));
    *cp = c;
    *sp = s;
}

static void finish(SSL *c, SSL *s)
{
    SSL_shutdown(c);
    SSL_shutdown(s);
    SSL_free(c);
    SSL_free(s);
}

static void show(const char *tag, const SSL_SESSION *sess)
{
    unsigned int idlen = 0;
    const unsigned char *id = SSL_SESSION_get_id(sess, &idlen);
    const unsigned char *alpn = NULL;
    size_t alpnlen = 0;
    SSL_SESSION_get0_alpn_selected(sess, &alpn, &alpnlen);
    /* A client session with a ticket: oxssl's timeout is the ticket's lifetime (README). */
    long timeout = SSL_SESSION_has_ticket(sess) ? -1 : SSL_SESSION_get_timeout(sess);
    printf("%s: resumable=%d version=%x ticket=%d hint=%lu timeout=%ld max_early=%u "
           "host=%s alpn=%.*s id=%d/%u master=%d time=%d\n",
           tag, SSL_SESSION_is_resumable(sess), (unsigned)SSL_SESSION_get_protocol_version(sess),
           SSL_SESSION_has_ticket(sess), SSL_SESSION_get_ticket_lifetime_hint(sess),
           timeout, (unsigned)SSL_SESSION_get_max_early_data(sess),
           SSL_SESSION_get0_hostname(sess) ? SSL_SESSION_get0_hostname(sess) : "(null)",
           (int)alpnlen, alpn ? (const char *)alpn : "", id != NULL, idlen,
           (int)SSL_SESSION_get_master_key(sess, NULL, 0),
           STIME(sess) > 1600000000L);
}

/* i2d with a caller buffer and with OpenSSL's allocation, then d2i (a == NULL and
 * a pointing to NULL); returns the decoded session. */
static SSL_SESSION *round_trip(const SSL_SESSION *sess)
{
    int len = i2d_SSL_SESSION(sess, NULL);
    unsigned char *buf = malloc((size_t)len + 4), *p = buf, *alloc = NULL;
    int len2 = i2d_SSL_SESSION(sess, &p);
    int len3 = i2d_SSL_SESSION(sess, &alloc);
    printf("i2d: positive=%d same=%d advanced=%d alloc=%d equal=%d\n", len > 0, len == len2,
           p == buf + len, alloc != NULL && len3 == len,
           alloc != NULL && memcmp(alloc, buf, (size_t)len) == 0);
    OPENSSL_free(alloc);
    const unsigned char *q = buf;
    SSL_SESSION *dec = d2i_SSL_SESSION(NULL, &q, len);
    printf("d2i: ok=%d advanced=%d\n", dec != NULL, q == buf + len);
    SSL_SESSION *second = NULL;
    q = buf;
    SSL_SESSION *r = d2i_SSL_SESSION(&second, &q, len);
    printf("d2i into slot: same=%d\n", r == second && second != NULL);
    unsigned int l1 = 0, l2 = 0;
    const unsigned char *i1 = SSL_SESSION_get_id(sess, &l1), *i2 = SSL_SESSION_get_id(dec, &l2);
    unsigned char m1[64], m2[64];
    size_t n1 = SSL_SESSION_get_master_key(sess, m1, sizeof(m1));
    size_t n2 = SSL_SESSION_get_master_key(dec, m2, sizeof(m2));
    printf("decoded: id equal=%d master equal=%d\n", l1 == l2 && memcmp(i1, i2, l1) == 0,
           n1 == n2 && memcmp(m1, m2, n1) == 0);
    SSL_SESSION_free(second);
    /* A truncated encoding is refused; *pp does not move. */
    q = buf;
    r = d2i_SSL_SESSION(NULL, &q, len - 5);
    printf("d2i truncated: null=%d moved=%d queue=%d\n", r == NULL, q != buf,
           ERR_peek_error() != 0);
    ERR_clear_error();
    free(buf);
    return dec;
}

static void run(int version, int no_ticket)
{
    long a, b, c0;
    int i1, i2, i3;
    printf("=== %s%s\n", version == TLS1_3_VERSION ? "TLSv1.3" : "TLSv1.2",
           no_ticket ? " session ids" : " tickets");
    SSL_CTX *cctx = make_ctx(0, version), *sctx = make_ctx(1, version);
    SSL *c, *s;
    a = SSL_CTX_get_session_cache_mode(cctx);
    b = SSL_CTX_get_session_cache_mode(sctx);
    printf("modes: client=%ld server=%ld\n", a, b);
    a = SSL_CTX_set_session_cache_mode(cctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL);
    b = SSL_CTX_get_session_cache_mode(cctx);
    c0 = SSL_CTX_set_session_cache_mode(cctx, SSL_SESS_CACHE_CLIENT);
    printf("set client mode: old=%ld now=%ld old=%ld\n", a, b, c0);
    SSL_CTX_sess_set_new_cb(cctx, new_cb);
    printf("new cb: %d\n", SSL_CTX_sess_get_new_cb(cctx) == new_cb);
    i1 = SSL_CTX_set_session_id_context(sctx, (const unsigned char *)"t43", 3);
    i2 = SSL_CTX_set_session_id_context(
        sctx, (const unsigned char *)"0123456789012345678901234567890123456789", 33);
    printf("sid ctx: %d too long: %d\n", i1, i2);
    errs("sid ctx");
    a = SSL_CTX_sess_get_cache_size(sctx);
    b = SSL_CTX_sess_set_cache_size(sctx, 100);
    c0 = SSL_CTX_sess_get_cache_size(sctx);
    printf("cache size: %ld old=%ld now=%ld negative=%ld\n", a, b, c0,
           SSL_CTX_sess_set_cache_size(sctx, -1));
    a = SSL_CTX_get_timeout(sctx);
    b = SSL_CTX_set_timeout(sctx, 3600);
    c0 = SSL_CTX_get_timeout(sctx);
    printf("timeout: %ld old=%ld now=%ld\n", a, b, c0);
    i1 = (int)SSL_CTX_get_num_tickets(sctx);
    i2 = SSL_CTX_set_num_tickets(sctx, 3);
    i3 = (int)SSL_CTX_get_num_tickets(sctx);
    printf("tickets: %d set=%d now=%d\n", i1, i2, i3);
    if (no_ticket)
        SSL_CTX_set_options(sctx, SSL_OP_NO_TICKET);

    /* 1: a full handshake; the callback keeps every session (returns 1). */
    keep = 1;
    nkept = 0;
    connect_once(cctx, sctx, NULL, &c, &s, "full");
    SSL_SESSION *sess = SSL_get1_session(c);
    i1 = SSL_get0_session(c) == sess;
    i2 = SSL_get_session(s) != NULL;
    printf("get0 is get1: %d server session: %d\n", i1, i2);
    show("client session", sess);
    printf("kept %d, last is current: %d\n", nkept, nkept > 0 && kept[nkept - 1] == sess);
    if (no_ticket)
        printf("server cache: %ld\n", SSL_CTX_sess_number(sctx));
    finish(c, s);
    printf("after free: resumable=%d\n", SSL_SESSION_is_resumable(sess));

    /* 2: resume with a decoded copy; the callback frees what it gets (returns 0). */
    keep = 0;
    SSL_SESSION *dec = round_trip(sess);
    show("decoded", dec);
    /* Timeouts of a copy (a client's own timeout does not decide what it offers in
     * OpenSSL, see the README: only the values are checked). */
    SSL_SESSION *copy = round_trip(sess);
    a = SSL_SESSION_set_timeout(copy, 100);
    b = SSL_SESSION_get_timeout(copy);
    c0 = SSL_SESSION_set_timeout(copy, -1);
    printf("set_timeout: %ld now=%ld negative=%ld now=%ld null=%ld hint=%lu\n", a, b, c0,
           SSL_SESSION_get_timeout(copy), SSL_SESSION_set_timeout(NULL, 5),
           SSL_SESSION_get_ticket_lifetime_hint(copy));
    SSL_SESSION_free(copy);
    connect_once(cctx, sctx, dec, &c, &s, "decoded");
    printf("decoded after use: resumable=%d\n", SSL_SESSION_is_resumable(dec));
    SSL_SESSION *ssess = SSL_get1_session(s);
    finish(c, s);

    /* 3: the server context changes (rebuilt in oxssl): its cache and keys stay. */
    printf("server options changed: %d\n",
           (SSL_CTX_set_options(sctx, SSL_OP_NO_COMPRESSION) & SSL_OP_NO_COMPRESSION) != 0);
    connect_once(cctx, sctx, sess, &c, &s, "after change");
    finish(c, s);
    printf("after use: resumable=%d\n", SSL_SESSION_is_resumable(sess));

    /* 4: a session set then cleared is not offered. */
    SSL_SESSION *fresh = round_trip(dec);
    make_pair(cctx, sctx, 0, &c, &s, NULL, NULL);
    i1 = SSL_set_session(c, fresh);
    i2 = SSL_get_session(c) == fresh;
    i3 = SSL_set_session(c, NULL);
    printf("set then clear: %d %d %d get=%p\n", i1, i2, i3, (void *)SSL_get_session(c));
    handshake(c, s);
    printf("cleared: reused=%d/%d\n", SSL_session_reused(c), SSL_session_reused(s));
    finish(c, s);

    /* 5: the server cache (session ids; a TLS 1.2 server that issues a ticket caches
     * nothing in OpenSSL, see the README). */
    if (no_ticket) {
        printf("cache before: %ld\n", SSL_CTX_sess_number(sctx));
        i1 = SSL_CTX_remove_session(sctx, ssess);
        i2 = SSL_CTX_remove_session(sctx, ssess);
        printf("remove server session: %d again: %d resumable=%d cache=%ld\n", i1, i2,
               SSL_SESSION_is_resumable(ssess), SSL_CTX_sess_number(sctx));
        i1 = SSL_CTX_add_session(sctx, ssess);
        i2 = SSL_CTX_add_session(sctx, ssess);
        printf("add back: %d again: %d cache=%ld\n", i1, i2, SSL_CTX_sess_number(sctx));
        FLUSH(sctx, time(NULL));
        printf("flush now: cache=%ld\n", SSL_CTX_sess_number(sctx));
        FLUSH(sctx, 0);
        printf("flush all: cache=%ld\n", SSL_CTX_sess_number(sctx));
        connect_once(cctx, sctx, fresh, &c, &s, "after flush");
        finish(c, s);
    }

    /* 6: connections freed without SSL_shutdown: OpenSSL takes their sessions for bad
     * ones, removed from the caches and no longer resumable. */
    connect_once(cctx, sctx, NULL, &c, &s, "unclean");
    SSL_SESSION *bad = SSL_get1_session(c);
    a = SSL_CTX_sess_number(sctx);
    SSL_free(c);
    SSL_free(s);
    printf("unclean: resumable=%d\n", SSL_SESSION_is_resumable(bad));
    if (no_ticket)
        printf("unclean: server cache %ld -> %ld\n", a, SSL_CTX_sess_number(sctx));
    connect_once(cctx, sctx, bad, &c, &s, "after unclean");
    finish(c, s);
    SSL_SESSION_free(bad);

    /* 7: server cache mode off: no session ids (tickets still work). */
    printf("server mode off: old=%ld\n", SSL_CTX_set_session_cache_mode(sctx, SSL_SESS_CACHE_OFF));
    connect_once(cctx, sctx, NULL, &c, &s, "off full");
    SSL_SESSION *off = SSL_get1_session(c);
    printf("off session: resumable=%d\n", SSL_SESSION_is_resumable(off));
    if (no_ticket)
        printf("off cache: %ld\n", SSL_CTX_sess_number(sctx));
    finish(c, s);
    connect_once(cctx, sctx, off, &c, &s, "off resume");
    finish(c, s);
    SSL_SESSION_free(off);

    /* 8: a removed client session is no longer resumable and is not offered. */
    SSL_SESSION *last = round_trip(fresh);
    printf("remove client session: resumable before=%d\n", SSL_SESSION_is_resumable(last));
    SSL_CTX_remove_session(cctx, last);
    printf("after remove: resumable=%d\n", SSL_SESSION_is_resumable(last));
    connect_once(cctx, sctx, last, &c, &s, "removed");
    finish(c, s);

    printf("up_ref: %d\n", SSL_SESSION_up_ref(sess));
    SSL_SESSION_free(sess);
    SSL_SESSION_free(sess);
    SSL_SESSION_free(dec);
    SSL_SESSION_free(fresh);
    SSL_SESSION_free(last);
    SSL_SESSION_free(ssess);
    for (int i = 0; i < nkept; i++)
        SSL_SESSION_free(kept[i]);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    errs("end");
}

int main(int argc, char **argv)
{
    args(argc, argv);
    run(TLS1_3_VERSION, 0);
    run(TLS1_2_VERSION, 0);
    run(TLS1_2_VERSION, 1);
    /* NULL arguments. */
    SSL_SESSION_free(NULL);
    printf("null: get_session=%p\n", (void *)SSL_get_session(NULL));
    printf("null: set=%d\n", SSL_set_session(NULL, NULL));
    printf("null: reused=%d\n", SSL_session_reused(NULL));
    printf("null: timeout=%ld time=%ld\n", SSL_SESSION_get_timeout(NULL), STIME(NULL));
    errs("null");
    return 0;
}
