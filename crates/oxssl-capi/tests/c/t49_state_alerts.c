/* State and alert strings, SSL_in_init / SSL_in_before, SSL_renegotiate_abbreviated. */
#include "common.h"

static void states(const char *tag, SSL *c, SSL *s)
{
    printf("%s: client %s in_init=%d in_before=%d; server %s in_init=%d in_before=%d\n", tag,
           SSL_state_string(c), SSL_in_init(c), SSL_in_before(c), SSL_state_string(s),
           SSL_in_init(s), SSL_in_before(s));
}

int main(int argc, char **argv)
{
    args(argc, argv);
    for (int level = 0; level <= 3; level++)
        printf("type %d: %s %s\n", level, SSL_alert_type_string(level << 8),
               SSL_alert_type_string_long(level << 8));
    for (int desc = 0; desc < 256; desc++) {
        const char *s = SSL_alert_desc_string(desc), *l = SSL_alert_desc_string_long(desc);
        if (strcmp(l, "unknown") != 0 || strcmp(s, "UK") != 0)
            printf("alert %d: %s %s\n", desc, s, l);
    }
    printf("alert 2/40: %s %s\n", SSL_alert_type_string_long(2 << 8 | 40),
           SSL_alert_desc_string_long(2 << 8 | 40));

    for (int v = 0; v < 2; v++) {
        int version = v ? TLS1_2_VERSION : TLS1_3_VERSION;
        SSL_CTX *cctx = make_ctx(0, version), *sctx = make_ctx(1, version);
        SSL *c, *s;
        make_pair(cctx, sctx, 0, &c, &s, NULL, NULL);
        states(v ? "tls12 before" : "tls13 before", c, s);
        if (!handshake(c, s))
            return 1;
        states(v ? "tls12 after" : "tls13 after", c, s);
        int r = SSL_renegotiate_abbreviated(c);
        printf("renegotiate_abbreviated=%d pending=%d\n", r, SSL_renegotiate_pending(c));
        errs("abbreviated");
        SSL_free(c);
        SSL_free(s);
        SSL_CTX_free(cctx);
        SSL_CTX_free(sctx);
    }
    printf("done\n");
    return 0;
}
