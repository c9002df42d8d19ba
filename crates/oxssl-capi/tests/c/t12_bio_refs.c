/* BIOs are shared, reference-counted handles: one BIO as rbio and wbio, returned by
 * SSL_get_rbio, kept by the caller after SSL_set_bio and SSL_free. Memory BIO basics. */
#include "common.h"

int main(int argc, char **argv)
{
    args(argc, argv);
    SSL_CTX *ctx = make_ctx(0, 0);
    SSL *s = SSL_new(ctx);
    BIO *b = BIO_new(BIO_s_mem());
    printf("rbio before=%s\n", SSL_get_rbio(s) == NULL ? "NULL" : "set");
    SSL_set_bio(s, b, b);
    printf("rbio==b %d wbio==b %d\n", SSL_get_rbio(s) == b, SSL_get_wbio(s) == b);
    printf("up_ref=%d\n", BIO_up_ref(b));
    SSL_set_connect_state(s);
    int r = SSL_do_handshake(s);
    report("handshake", s, r);
    /* The ClientHello went into the same memory BIO the SSL reads from. */
    printf("pending>0 %d wpending=%d\n", BIO_pending(b) > 0, BIO_wpending(b));
    SSL_free(s);
    /* The caller's reference keeps b alive. */
    char buf[8];
    r = BIO_read(b, buf, 5);
    printf("read after SSL_free=%d first byte=%d\n", r, buf[0]);
    printf("free=%d\n", BIO_free(b));

    BIO *m = BIO_new(BIO_s_mem());
    r = BIO_read(m, buf, sizeof(buf));
    printf("empty read=%d retry=%d read=%d write=%d special=%d flags=%d\n", r,
           BIO_should_retry(m) != 0, BIO_should_read(m) != 0, BIO_should_write(m) != 0,
           BIO_should_io_special(m) != 0, BIO_get_retry_flags(m));
    r = BIO_write(m, "abcdef", 6);
    printf("write=%d pending=%d ctrl_pending=%zu wpending=%zu eof=%d\n", r, BIO_pending(m),
           BIO_ctrl_pending(m), BIO_ctrl_wpending(m), BIO_eof(m));
    r = BIO_read(m, buf, 4);
    printf("read=%d '%.4s' retry=%d\n", r, buf, BIO_should_retry(m) != 0);
    printf("get_close=%d set_close=%d get_close=%d flush=%d\n", BIO_get_close(m),
           BIO_set_close(m, BIO_NOCLOSE), BIO_get_close(m), BIO_flush(m));
    BIO_set_mem_eof_return(m, 0);
    r = BIO_read(m, buf, 8);
    printf("read rest=%d\n", r);
    r = BIO_read(m, buf, 8);
    printf("read at eof=%d retry=%d\n", r, BIO_should_retry(m) != 0);
    printf("eof=%d\n", BIO_eof(m));
    BIO_free(m);

    /* SSL_set0_rbio / set0_wbio take one reference each. */
    s = SSL_new(ctx);
    BIO *r1 = BIO_new(BIO_s_mem()), *w1 = BIO_new(BIO_s_mem());
    SSL_set0_rbio(s, r1);
    SSL_set0_wbio(s, w1);
    printf("set0: rbio==r1 %d wbio==w1 %d\n", SSL_get_rbio(s) == r1, SSL_get_wbio(s) == w1);
    BIO *r2 = BIO_new(BIO_s_mem());
    SSL_set_bio(s, r2, w1); /* only the rbio changes: one reference adopted */
    printf("set_bio r2: rbio==r2 %d wbio==w1 %d\n", SSL_get_rbio(s) == r2,
           SSL_get_wbio(s) == w1);
    SSL_free(s);
    printf("BIO_free(NULL)=%d\n", BIO_free(NULL));
    SSL_CTX_free(ctx);
    return 0;
}
