package dev.nexus.services.tray.link;

import dev.nexus.services.engine.EngineSnapshot;
import dev.nexus.services.engine.ServiceSnapshot;
import dev.nexus.services.tray.model.LinkStatus;
import dev.nexus.services.tray.model.NotificationPolicy;
import dev.nexus.services.tray.model.TrayViewModel;

/**
 * Feeds what the link reports into the view model (and a removed service out of the notification
 * policy). Call it on the model's thread: wrap it with {@link EngineListener#on}.
 *
 * @param policy may be null when nothing is notified (tests, the dashboard preview)
 */
public record ModelFeed(TrayViewModel model, NotificationPolicy policy) implements EngineListener {
    @Override
    public void snapshot(EngineSnapshot snapshot) {
        model.applySnapshot(snapshot);
    }

    @Override
    public void service(ServiceSnapshot service) {
        model.applyService(service);
    }

    @Override
    public void removed(ServiceSnapshot service) {
        if (policy != null) {
            policy.forget(service.name());
        }
        model.applyRemoved(service);
    }

    @Override
    public void engine(EngineSnapshot.EngineInfo info) {
        model.applyEngine(info);
    }

    @Override
    public void link(LinkStatus status) {
        model.applyLink(status);
    }
}
