"""Browsing charity projects: by theme or recommended, with progress, and details on request."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.clients.backoffice import BackofficeError, BackofficeRejectedError
from actions.clients.donation import Project, get_donation_api
from actions.donation.parsing import yuan

THEME_SLOT = "charity_theme"
PROJECT_SLOT = "charity_project"
RECOMMENDED = "recommended"
MAX_LISTED = 5


def project_values(project: Project) -> dict[str, Any]:
    """The values every project response may use."""
    return {
        "name": project.name,
        "organiser": project.organiser,
        "theme_name": project.theme_name,
        "description": project.description,
        "raised": yuan(project.raised),
        "target": yuan(project.target) if project.target is not None else "",
        "percent": project.progress_percent if project.progress_percent is not None else "",
        "record_no": project.fundraising_record_no,
    }


def details_button(project: Project) -> dict[str, str]:
    """A button that shows the project's details."""
    return {
        "title": project.name,
        "payload": f'/show_charity_project{{"{PROJECT_SLOT}": "{project.code}"}}',
    }


def utter_project_line(dispatcher: CollectingDispatcher, project: Project) -> None:
    """One project with its progress (the general fund has no target)."""
    if project.target is None:
        dispatcher.utter_message(
            response="utter_donation_project_item_open", **project_values(project)
        )
    else:
        dispatcher.utter_message(response="utter_donation_project_item", **project_values(project))


class ActionListCharityProjects(Action):
    """Lists projects of a theme, or the recommended ones; without a theme offers the themes."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_list_charity_projects"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """List the projects, or ask which theme the citizen is interested in."""
        theme = next(tracker.get_latest_entity_values(THEME_SLOT), None)
        api = get_donation_api()
        try:
            if not theme:
                themes = await api.list_themes()
                buttons = [
                    {
                        "title": t.name,
                        "payload": f'/browse_charity_projects{{"{THEME_SLOT}": "{t.code}"}}',
                    }
                    for t in themes
                    if t.code != "general"
                ]
                dispatcher.utter_message(response="utter_donation_choose_theme", buttons=buttons)
                return [SlotSet(THEME_SLOT, None)]
            if theme == RECOMMENDED:
                projects = await api.list_projects(recommended=True)
            else:
                projects = await api.list_projects(theme=theme)
        except BackofficeError:
            dispatcher.utter_message(response="utter_records_unavailable")
            return []
        projects = [p for p in projects if not p.general_fund][:MAX_LISTED]
        if not projects:
            dispatcher.utter_message(response="utter_donation_no_projects")
            return [SlotSet(THEME_SLOT, None)]
        if theme == RECOMMENDED:
            dispatcher.utter_message(response="utter_donation_recommended_intro")
        else:
            dispatcher.utter_message(
                response="utter_donation_theme_intro", theme_name=projects[0].theme_name
            )
        for project in projects:
            utter_project_line(dispatcher, project)
        dispatcher.utter_message(
            response="utter_donation_project_list_end",
            buttons=[details_button(p) for p in projects],
        )
        return [SlotSet(THEME_SLOT, None), SlotSet(PROJECT_SLOT, None)]


class ActionShowCharityProject(Action):
    """Shows one project's details with a button to donate to it."""

    def name(self) -> str:
        """Action name used in the domain."""
        return "action_show_charity_project"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Utter the details, or offer the list when no project was named."""
        code = next(tracker.get_latest_entity_values(PROJECT_SLOT), None)
        code = code or tracker.get_slot(PROJECT_SLOT)
        if not code:
            dispatcher.utter_message(response="utter_donation_which_project")
            return []
        try:
            project = await get_donation_api().get_project(str(code))
        except BackofficeRejectedError:
            dispatcher.utter_message(response="utter_donation_which_project")
            return [SlotSet(PROJECT_SLOT, None)]
        except BackofficeError:
            dispatcher.utter_message(response="utter_records_unavailable")
            return []
        response = (
            "utter_donation_project_details_open"
            if project.target is None
            else "utter_donation_project_details"
        )
        # The response's "捐给这个项目" button starts the form, which finds the project in the slot.
        dispatcher.utter_message(response=response, **project_values(project))
        return [SlotSet(PROJECT_SLOT, project.code)]
