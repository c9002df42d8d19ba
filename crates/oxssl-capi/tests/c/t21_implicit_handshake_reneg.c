/* SSL_WRITE.md case 1 (the first SSL_write drives the handshake: WANT_READ, then num) and
 * case 10 (client renegotiation against a default server fails with 339), plus EOF on a
 * BIO pair after BIO_shutdown_wr (294). */
#include "common.h"

static void case1(int version)
{
    SSL_CTX *cctx = make_ctx(0, version), *sctx = make_ctx(1, version);
    SSL *c, *s;
    BIO *sb;
    make_pair(cctx, sctx, 0, &c, &s, NULL, &sb);
    int r = SSL_write(c, "early", 5);
    report("first write", c, r);
    printf("ClientHello on the wire=%d\n", BIO_ctrl_pending(sb) > 0);
    int i;
    char buf[16];
    for (i = 0; i < 10 && r <= 0; i++) {
        int rs = SSL_read(s, buf, sizeof(buf));
        if (rs > 0)
            printf("server got data early: %d\n", rs);
        r = SSL_write(c, "early", 5);
    }
    printf("write after server flights=%d\n", r);
    r = SSL_read(s, buf, sizeof(buf));
    printf("server read=%d '%.*s'\n", r, r > 0 ? r : 0, buf);
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

static void case10(void)
{
    SSL_CTX *cctx = make_ctx(0, TLS1_2_VERSION), *sctx = make_ctx(1, TLS1_2_VERSION);
    SSL *c, *s;
    make_pair(cctx, sctx, 0, &c, &s, NULL, NULL);
    if (!handshake(c, s))
        exit(1);
    int rn = SSL_renegotiate(c);
    printf("client renegotiate=%d pending=%d\n", rn, SSL_renegotiate_pending(c));
    char buf[16];
    int r = SSL_write(c, "data", 4);
    report("client write 1", c, r);
    r = SSL_read(s, buf, sizeof(buf));
    report("server read", s, r);
    r = SSL_write(c, "data", 4);
    report("client write 2", c, r);
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

static void pair_eof(int version)
{
    SSL_CTX *cctx = make_ctx(0, version), *sctx = make_ctx(1, version);
    SSL *c, *s;
    BIO *sb;
    make_pair(cctx, sctx, 0, &c, &s, NULL, &sb);
    if (!handshake(c, s))
        exit(1);
    printf("shutdown_wr=%d\n", BIO_shutdown_wr(sb));
    char buf[16];
    int r = SSL_read(c, buf, sizeof(buf));
    report("client read at pair eof", c, r);
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

int main(int argc, char **argv)
{
    args(argc, argv);
    case1(TLS1_3_VERSION);
    case1(TLS1_2_VERSION);
    case10();
    pair_eof(TLS1_3_VERSION);
    pair_eof(TLS1_2_VERSION);
    return 0;
}
