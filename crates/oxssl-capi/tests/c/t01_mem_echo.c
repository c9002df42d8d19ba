/* TLS 1.3 over memory BIOs: the caller moves the bytes; handshake and an echo. */
#include "common.h"

static void move(BIO *from, BIO *to)
{
    char buf[4096];
    int n;
    while ((n = BIO_read(from, buf, sizeof(buf))) > 0)
        BIO_write(to, buf, n);
}

int main(int argc, char **argv)
{
    args(argc, argv);
    SSL_CTX *cctx = make_ctx(0, TLS1_3_VERSION), *sctx = make_ctx(1, TLS1_3_VERSION);
    SSL *c = SSL_new(cctx), *s = SSL_new(sctx);
    BIO *cin = BIO_new(BIO_s_mem()), *cout = BIO_new(BIO_s_mem());
    BIO *sin = BIO_new(BIO_s_mem()), *sout = BIO_new(BIO_s_mem());
    SSL_set_bio(c, cin, cout);
    SSL_set_bio(s, sin, sout);
    SSL_set_connect_state(c);
    SSL_set_accept_state(s);

    int r = SSL_do_handshake(c);
    report("client first", c, r);
    printf("client out pending>0: %d, should_retry(rbio)=%d should_read=%d\n",
           BIO_pending(cout) > 0, BIO_should_retry(cin) != 0, BIO_should_read(cin) != 0);
    int rc = -1, rs = -1, i;
    for (i = 0; i < 20 && (rc != 1 || rs != 1); i++) {
        move(cout, sin);
        rs = SSL_do_handshake(s);
        move(sout, cin);
        rc = SSL_do_handshake(c);
    }
    printf("handshake: client=%d server=%d version=%s cipher=%s\n", rc, rs, SSL_get_version(c),
           SSL_CIPHER_get_name(SSL_get_current_cipher(c)));
    printf("verify result=%ld\n", SSL_get_verify_result(c));

    r = SSL_write(c, "hello", 5);
    printf("client write=%d\n", r);
    move(cout, sin);
    char buf[64];
    r = SSL_read(s, buf, sizeof(buf));
    printf("server read=%d '%.*s'\n", r, r > 0 ? r : 0, buf);
    r = SSL_read(s, buf, sizeof(buf));
    report("server read again", s, r);
    SSL_write(s, buf, 5);
    move(sout, cin);
    r = SSL_read(c, buf, sizeof(buf));
    printf("client read=%d '%.*s' pending=%d\n", r, r > 0 ? r : 0, buf, SSL_pending(c));
    r = SSL_read(c, buf, sizeof(buf));
    report("client read again", c, r);
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    return 0;
}
