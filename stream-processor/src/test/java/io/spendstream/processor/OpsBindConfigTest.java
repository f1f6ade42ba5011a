package io.spendstream.processor;

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
        StreamProcessorConfig c = StreamProcessorConfig.from(Settings.of(Map.of()));
        assertThat(c.httpHost()).isEqualTo("127.0.0.1");
        assertThat(c.internal().token()).isNull();
        assertThat(StreamProcessorConfig.keys()).contains(InternalAccess.TOKEN_KEY);
    }

    @Test
    void aNonLoopbackBindWithoutATokenRefusesToStartNamingBoth() {
        assertThatThrownBy(() -> StreamProcessorConfig.from(Settings.of(Map.of(StreamProcessorConfig.HTTP_HOST, "0.0.0.0"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(InternalAccess.TOKEN_KEY).hasMessageContaining(StreamProcessorConfig.HTTP_HOST);
        String token = "a-service-token-of-32-characters!";
        assertThat(StreamProcessorConfig.from(Settings.of(Map.of(StreamProcessorConfig.HTTP_HOST, "0.0.0.0", InternalAccess.TOKEN_KEY, token)))
                .internal().token().reveal()).isEqualTo(token);
    }
}
