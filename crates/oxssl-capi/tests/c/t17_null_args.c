/* NULL and out-of-range arguments that OpenSSL 3.6 handles without crashing. */
#include "common.h"

int main(int argc, char **argv)
{
    args(argc, argv);
    SSL_CTX *ctx = make_ctx(0, 0);
    SSL *s = SSL_new(ctx);
    printf("SSL_CTX_new(NULL)=%s\n", SSL_CTX_new(NULL) == NULL ? "NULL" : "ctx");
    errs("ctx null");
    printf("SSL_new(NULL)=%s\n", SSL_new(NULL) == NULL ? "NULL" : "ssl");
    errs("ssl null");
    SSL_free(NULL);
    SSL_CTX_free(NULL);
    BIO_free_all(NULL);
    printf("cipher name of NULL=%s\n", SSL_CIPHER_get_name(NULL));
    printf("current cipher before handshake=%s\n",
           SSL_get_current_cipher(s) == NULL ? "NULL" : "set");
    printf("write without state: ret=%d\n", SSL_write(s, "x", 1));
    errs("no state");
    SSL_set_connect_state(s);
    int r = SSL_do_handshake(s);
    report("handshake without bio", s, r);
    printf("set max_send_fragment 0=%ld 100000=%ld\n", SSL_set_max_send_fragment(s, 0),
           SSL_set_max_send_fragment(s, 100000));
    errs("fragment");
    printf("key_update(-3)=%d\n", SSL_key_update(s, -3));
    errs("key_update");
    printf("use_PrivateKey_file bad type=%d\n",
           SSL_CTX_use_PrivateKey_file(ctx, KEY, 77));
    printf("queue non-empty=%d\n", ERR_peek_error() != 0);
    ERR_clear_error();
    BIO *a, *b;
    BIO_new_bio_pair(&a, 0, &b, 0);
    printf("default pair guarantee=%zu\n", BIO_ctrl_get_write_guarantee(a));
    BIO_free(a);
    BIO_free(b);
    SSL_free(s);
    SSL_CTX_free(ctx);
    return 0;
}
