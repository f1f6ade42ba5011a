package io.spendstream.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.spendstream.config.ConfigException;
import io.spendstream.config.Settings;
import io.spendstream.http.InternalAccess;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ops port binds loopback by default and needs the service token anywhere else. */
class OpsBindConfigTest {
    @Test
    void loopbackByDefaultWithoutAToken() {
        SinkConfig c = SinkConfig.from(Settings.of(Map.of()));
        assertThat(c.httpHost()).isEqualTo("127.0.0.1");
        assertThat(c.internal().token()).isNull();
        assertThat(SinkConfig.keys()).contains(InternalAccess.TOKEN_KEY);
    }

    @Test
    void aNonLoopbackBindWithoutATokenRefusesToStartNamingBoth() {
        assertThatThrownBy(() -> SinkConfig.from(Settings.of(Map.of(SinkConfig.HTTP_HOST, "0.0.0.0"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(InternalAccess.TOKEN_KEY).hasMessageContaining(SinkConfig.HTTP_HOST);
        String token = "a-service-token-of-32-characters!";
        assertThat(SinkConfig.from(Settings.of(Map.of(SinkConfig.HTTP_HOST, "0.0.0.0", InternalAccess.TOKEN_KEY, token)))
                .internal().token().reveal()).isEqualTo(token);
    }
}
