/* KeyUpdate and renegotiation entry checks (SSL_WRITE.md 7, 8, case 11, 12). */
#include "common.h"

int main(int argc, char **argv)
{
    args(argc, argv);
    SSL_CTX *cctx = make_ctx(0, TLS1_3_VERSION), *sctx = make_ctx(1, TLS1_3_VERSION);
    SSL *c, *s;
    make_pair(cctx, sctx, 0, &c, &s, NULL, NULL);
    int r = SSL_key_update(c, SSL_KEY_UPDATE_REQUESTED);
    printf("key_update before handshake=%d\n", r);
    errs("ku early");
    if (!handshake(c, s))
        return 1;
    r = SSL_key_update(c, 5);
    printf("key_update(5)=%d\n", r);
    errs("ku bad type");
    r = SSL_renegotiate(c);
    printf("renegotiate tls13=%d\n", r);
    errs("reneg tls13");
    printf("renegotiate_pending=%d\n", SSL_renegotiate_pending(c));
    r = SSL_key_update(c, SSL_KEY_UPDATE_REQUESTED);
    printf("key_update=%d type=%d\n", r, SSL_get_key_update_type(c));
    r = SSL_write(c, "ku", 2);
    printf("write=%d type after=%d\n", r, SSL_get_key_update_type(c));
    char buf[16];
    r = SSL_read(s, buf, sizeof(buf));
    printf("server read=%d '%.*s' owes=%d\n", r, r > 0 ? r : 0, buf, SSL_get_key_update_type(s));
    r = SSL_write(s, "ok", 2);
    printf("server write=%d\n", r);
    r = SSL_read(c, buf, sizeof(buf));
    printf("client read=%d '%.*s'\n", r, r > 0 ? r : 0, buf);
    SSL_free(c);
    SSL_free(s);

    SSL_CTX *c12 = make_ctx(0, TLS1_2_VERSION), *s12 = make_ctx(1, TLS1_2_VERSION);
    make_pair(c12, s12, 0, &c, &s, NULL, NULL);
    if (!handshake(c, s))
        return 1;
    r = SSL_key_update(c, SSL_KEY_UPDATE_NOT_REQUESTED);
    printf("key_update tls12=%d\n", r);
    errs("ku tls12");
    SSL_set_options(c, SSL_OP_NO_RENEGOTIATION);
    r = SSL_renegotiate(c);
    printf("renegotiate no_reneg=%d\n", r);
    errs("reneg no_reneg");
    SSL_clear_options(c, SSL_OP_NO_RENEGOTIATION);
    r = SSL_renegotiate(s);
    printf("server renegotiate=%d pending=%d\n", r, SSL_renegotiate_pending(s));
    r = SSL_write(s, "4444", 4);
    printf("server write=%d\n", r);
    r = SSL_read(c, buf, sizeof(buf));
    printf("client read=%d '%.*s'\n", r, r > 0 ? r : 0, buf);
    int i;
    for (i = 0; i < 10 && SSL_renegotiate_pending(s); i++) {
        SSL_read(s, buf, sizeof(buf));
        SSL_read(c, buf, sizeof(buf));
    }
    ERR_clear_error();
    printf("server pending after=%d\n", SSL_renegotiate_pending(s));
    r = SSL_write(c, "post", 4);
    printf("client write=%d\n", r);
    r = SSL_read(s, buf, sizeof(buf));
    printf("server read=%d '%.*s'\n", r, r > 0 ? r : 0, buf);
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    SSL_CTX_free(c12);
    SSL_CTX_free(s12);
    return 0;
}
