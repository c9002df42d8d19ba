/* Default modes, options and protocol bounds of new contexts and connections; the mode
 * and option calls (SSL_CTX_set_mode is SSL_CTX_ctrl, the option calls are functions). */
#include "common.h"

int main(int argc, char **argv)
{
    args(argc, argv);
    printf("version >= 3.0: %d\n", OpenSSL_version_num() >= 0x30000000UL);
    SSL_CTX *c = make_ctx(0, 0), *s = make_ctx(1, 0);
    printf("client ctx mode=%lx options=%llx\n", SSL_CTX_get_mode(c),
           (unsigned long long)SSL_CTX_get_options(c));
    printf("server ctx mode=%lx options=%llx\n", SSL_CTX_get_mode(s),
           (unsigned long long)SSL_CTX_get_options(s));
    printf("min=%lx max=%lx\n", SSL_CTX_get_min_proto_version(c),
           SSL_CTX_get_max_proto_version(c));
    printf("set min 1.2=%ld set max 0x305=%ld min=%lx\n",
           SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION),
           SSL_CTX_set_max_proto_version(c, 0x0305), SSL_CTX_get_min_proto_version(c));
    printf("set_options NO_TICKET -> has=%d\n",
           (SSL_CTX_set_options(c, SSL_OP_NO_TICKET) & SSL_OP_NO_TICKET) != 0);
    printf("clear_options NO_TICKET -> has=%d\n",
           (SSL_CTX_clear_options(c, SSL_OP_NO_TICKET) & SSL_OP_NO_TICKET) != 0);
    printf("set_mode partial -> has=%d\n",
           (SSL_CTX_set_mode(c, SSL_MODE_ENABLE_PARTIAL_WRITE) & SSL_MODE_ENABLE_PARTIAL_WRITE) != 0);
    printf("clear_mode partial -> has=%d\n",
           (SSL_CTX_clear_mode(c, SSL_MODE_ENABLE_PARTIAL_WRITE) & SSL_MODE_ENABLE_PARTIAL_WRITE) != 0);
    SSL *ssl = SSL_new(c);
    printf("ssl mode=%lx options=%llx\n", SSL_get_mode(ssl),
           (unsigned long long)SSL_get_options(ssl));
    printf("ssl clear auto_retry -> mode has auto_retry=%d\n",
           (SSL_clear_mode(ssl, SSL_MODE_AUTO_RETRY) & SSL_MODE_AUTO_RETRY) != 0);
    SSL_free(ssl);
    SSL_CTX_free(c);
    SSL_CTX_free(s);
    return 0;
}
