package io.spendstream.notifier.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class UrlPolicyTest {
    private final UrlPolicy strict = UrlPolicy.STRICT;

    @Test
    void shouldRefuseEveryInternalRange() throws Exception {
        for (String a : new String[] {"127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
                "100.64.0.1", "0.0.0.0", "224.0.0.1", "::1", "fe80::1", "fd00:ec2::254", "::ffff:10.0.0.1",
                "64:ff9b::a9fe:a9fe", "240.0.0.1", "198.18.0.1"}) {
            assertThat(strict.refusal(InetAddress.getByName(a))).as(a).isNotNull();
        }
        assertThat(strict.refusal(InetAddress.getByName("93.184.215.14"))).isNull();
        assertThat(strict.refusal(InetAddress.getByName("2606:4700::1111"))).isNull();
    }

    @Test
    void shouldSayWhyAUrlIsRefused() {
        assertThatThrownBy(() -> strict.check("http://93.184.215.14/hook")).hasMessage("url must use https");
        assertThatThrownBy(() -> strict.check("https://10.0.0.8/hook"))
                .hasMessageContaining("resolves to 10.0.0.8, a private address");
        assertThatThrownBy(() -> strict.check("https://169.254.169.254/latest/meta-data"))
                .hasMessageContaining("link-local").hasMessageContaining("metadata");
        assertThatThrownBy(() -> strict.check("https://user:pw@93.184.215.14/")).hasMessageContaining("user info");
        assertThatThrownBy(() -> strict.check("/relative")).hasMessageContaining("absolute https URL");
        assertThatThrownBy(() -> strict.check("https://127.0.0.1:8443/")).hasMessageContaining("loopback");
    }

    @Test
    void shouldLetLoopbackThroughOnlyWhenAllowedAndPlainHttpOnlyToLoopback() throws Exception {
        UrlPolicy local = new UrlPolicy(true, false);
        assertThat(local.check("http://127.0.0.1:9000/hook").getPort()).isEqualTo(9000);
        assertThatThrownBy(() -> local.check("http://93.184.215.14/hook"))
                .hasMessageContaining("plain http is allowed for loopback receivers only");
        assertThatThrownBy(() -> local.check("https://10.0.0.8/")).hasMessageContaining("private");
        assertThatThrownBy(() -> new UrlPolicy(true, true).check("https://169.254.169.254/"))
                .as("metadata is never allowed").hasMessageContaining("link-local");
    }
}
