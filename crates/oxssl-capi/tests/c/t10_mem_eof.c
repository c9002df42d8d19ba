/* SSL_WRITE.md case 8: a memory rbio with EOF return 0: SSL_read is 0 / SSL / 294 and the
 * next SSL_write is -1 / SYSCALL with an empty queue. With SSL_OP_IGNORE_UNEXPECTED_EOF
 * it is ZERO_RETURN and writes keep working. */
#include "common.h"

static void move(BIO *from, BIO *to)
{
    char buf[4096];
    int n;
    while ((n = BIO_read(from, buf, sizeof(buf))) > 0)
        BIO_write(to, buf, n);
}

static void run(int version, int ignore)
{
    SSL_CTX *cctx = make_ctx(0, version), *sctx = make_ctx(1, version);
    if (ignore)
        SSL_CTX_set_options(cctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
    SSL *c = SSL_new(cctx), *s = SSL_new(sctx);
    BIO *cin = BIO_new(BIO_s_mem()), *cout = BIO_new(BIO_s_mem());
    BIO *sin = BIO_new(BIO_s_mem()), *sout = BIO_new(BIO_s_mem());
    SSL_set_bio(c, cin, cout);
    SSL_set_bio(s, sin, sout);
    SSL_set_connect_state(c);
    SSL_set_accept_state(s);
    int rc = -1, rs = -1, i;
    for (i = 0; i < 20 && (rc != 1 || rs != 1); i++) {
        rc = SSL_do_handshake(c);
        move(cout, sin);
        rs = SSL_do_handshake(s);
        move(sout, cin);
    }
    rc = SSL_do_handshake(c);
    printf("handshake: client=%d server=%d\n", rc, rs);
    char buf[16];
    int r = SSL_read(c, buf, sizeof(buf));
    report("read empty", c, r);
    printf("eof before=%d\n", BIO_eof(cin));
    BIO_set_mem_eof_return(cin, 0);
    r = SSL_read(c, buf, sizeof(buf));
    report("read at eof", c, r);
    r = SSL_write(c, "after", 5);
    report("write after eof", c, r);
    r = SSL_read(c, buf, sizeof(buf));
    report("read again", c, r);
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
}

int main(int argc, char **argv)
{
    args(argc, argv);
    run(TLS1_3_VERSION, 0);
    run(TLS1_2_VERSION, 0);
    run(TLS1_3_VERSION, 1);
    return 0;
}
