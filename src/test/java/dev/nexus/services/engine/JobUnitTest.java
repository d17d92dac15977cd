package dev.nexus.services.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.nexus.services.support.Json;
import org.junit.jupiter.api.Test;

class JobUnitTest {
    @Test
    void understandsTheUsualShapesOfAnUpdateCheck() throws Exception {
        assertEquals(2, JobUnit.countUpdates(Json.MAPPER.readTree("{\"updates\":[{\"skill\":\"a\"},{\"skill\":\"b\"}]}")));
        assertEquals(5, JobUnit.countUpdates(Json.MAPPER.readTree("{\"updatesAvailable\":5}")));
        assertEquals(1, JobUnit.countUpdates(Json.MAPPER.readTree("{\"available\":true}")));
        assertEquals(0, JobUnit.countUpdates(Json.MAPPER.readTree("{\"updates\":[]}")));
        assertNull(JobUnit.countUpdates(Json.MAPPER.readTree("{\"status\":\"ok\"}")));
        assertNull(JobUnit.countUpdates(null));
    }
}
